"""The words of the public reports, in Dutch and English.

Only report text lives here; category names and values are shown as the quota file spells them.
"""

from __future__ import annotations

from quotas.errors import InputError

LANGUAGES = ("nl", "en")

_TEXT: dict[str, tuple[str, str]] = {  # key: (nl, en)
    "title": ("Verslag van de loting", "Draw report"),
    "subtitle": ("Burgerpanel van {k} personen, gekozen door loting uit {n} aanmeldingen",
                 "Panel of {k} people, drawn by lot from a pool of {n}"),
    "practice": ("Oefenloting: de commitment is níet gepubliceerd vóór de seed bestond (sortition select). "
                 "Gebruik deze uitslag niet als openbare loting.",
                 "Practice draw: the commitment was NOT published before the seed existed (sortition select). "
                 "Do not use this result as a public draw."),
    "timeline": ("Verloop", "Process timeline"),
    "when": ("tijd (UTC)", "time (UTC)"),
    "step": ("stap", "step"),
    "detail": ("gegevens", "detail"),
    "step_prepare": ("Loting voorbereid; commitment berekend", "Lottery prepared; commitment computed"),
    "step_seed_source": ("Aangekondigde bron van de seed", "Announced seed source"),
    "step_draw": ("Loting uitgevoerd met de seed", "Panel drawn with the seed"),
    "step_replace": ("Vervanging", "Replacement"),
    "no_ledger": ("(geen logboek beschikbaar)", "(no ledger available)"),
    "ledger_ok": ("Logboek (ledger.jsonl): hashketen intact, {n} regels.",
                  "Ledger (ledger.jsonl): hash chain intact, {n} lines."),
    "ledger_broken": ("Logboek (ledger.jsonl): hashketen VERBROKEN bij regel {n}.",
                      "Ledger (ledger.jsonl): hash chain BROKEN at line {n}."),
    "facts": ("Kerngegevens", "Key facts"),
    "commitment": ("Commitment (SHA-256 van lottery.json)", "Commitment (SHA-256 of lottery.json)"),
    "seed_source": ("Aangekondigde bron van de seed", "Announced seed source"),
    "seed": ("Seed", "Seed"),
    "published_first": ("Commitment gepubliceerd vóór de seed", "Commitment published before the seed"),
    "yes": ("ja", "yes"),
    "no": ("NEE (oefenloting)", "NO (practice draw)"),
    "none": ("(geen)", "(none)"),
    "algorithm": ("Algoritme", "Algorithm"),
    "panels_in_lottery": ("Panels in de loterij", "Panels in the lottery"),
    "panel_index": ("Getrokken panel (index)", "Drawn panel (index)"),
    "households": ("Hoogstens één persoon per huishouden", "At most one person per household"),
    "software": ("Softwareversie", "Software version"),
    "inputs": ("Invoerbestanden", "Input files"),
    "file": ("bestand", "file"),
    "quotas": ("Quota, aanmeldingen en panel", "Quotas, pool and panel"),
    "quotas_intro": ("Per categorie: hoeveel aanmeldingen elke waarde hebben, het quotum (min–max) en hoeveel "
                     "panelleden.", "Per category: how many in the pool have each value, the quota (min–max) "
                     "and how many panel members."),
    "value": ("waarde", "value"),
    "pool": ("aanmeldingen", "pool"),
    "quota": ("quotum", "quota"),
    "panel": ("panel", "panel"),
    "panel_now": ("panel nu", "panel now"),
    "legend_pool": ("aandeel in aanmeldingen", "share of the pool"),
    "legend_quota": ("quotum (min–max)", "quota (min–max)"),
    "legend_panel": ("aandeel in het panel", "share of the panel"),
    "fairness": ("Kans om gekozen te worden", "Selection probabilities"),
    "fairness_exact": ("Elke kans is exact: het aantal panels in de loterij waarop iemand staat, gedeeld door "
                       "{m}.", "Every probability is exact: the number of panels in the lottery a person is "
                       "on, divided by {m}."),
    "fairness_estimate": ("Deze kansen zijn schattingen (Monte Carlo, {runs} keer het oude algoritme).",
                          "These probabilities are estimates (Monte Carlo, {runs} runs of the legacy "
                          "algorithm)."),
    "prob_summary": ("Laagste kans {min}, mediaan {median}, hoogste {max}; {ones} personen op elk panel, "
                     "{zeros} op geen enkel panel. Gelijke kans voor iedereen zou {equal} zijn.",
                     "Lowest probability {min}, median {median}, highest {max}; {ones} people on every panel, "
                     "{zeros} on none. An equal chance for everyone would be {equal}."),
    "histogram": ("Verdeling van de kansen (aantal personen per kansklasse)",
                  "Distribution of the probabilities (people per probability bin)"),
    "people": ("personen", "people"),
    "equal_chance": ("gelijke kans", "equal chance"),
    "probability": ("kans", "probability"),
    "statistics": ("Berekening", "Computation"),
    "stat_distribution_min_probability": ("Laagste kans volgens de berekende verdeling (voor afronding)",
                                          "Lowest probability of the computed distribution (before rounding)"),
    "stat_time_limit_reached": ("Tijdslimiet bereikt (1 = ja: minder eerlijk dan LEXIMIN kan)",
                                "Time limit reached (1 = yes: less fair than LEXIMIN could be)"),
    "stat_rounding_max_deviation": ("Grootste afwijking door afronding naar {m} panels",
                                    "Largest deviation from rounding to {m} panels"),
    "stat_rounding_bound": ("Theoretische grens van die afwijking", "Theoretical bound of that deviation"),
    "stat_legacy_min_probability": ("Laagste kans met het oude algoritme (schatting)",
                                    "Lowest probability with the legacy algorithm (estimate)"),
    "verification": ("Controle", "Verification"),
    "verification_intro": ("Opnieuw nagerekend uit de openbare bestanden (sortition verify):",
                           "Recomputed from the public files (sortition verify):"),
    "verified_ok": ("Alle controles geslaagd.", "Every check passed."),
    "verified_failed": ("Controle MISLUKT.", "Verification FAILED."),
    "replacements": ("Vervangingen", "Replacements"),
    "no_replacements": ("Geen.", "None."),
    "dropout": ("afgehaakt", "dropped out"),
    "replacement": ("vervangen door", "replaced by"),
    "reserve_rank": ("plaats op reservelijst", "reserve rank"),
    "rule": ("regel", "rule"),
    "rule_first-fitting-reserve": ("eerste passende reserve", "first fitting reserve"),
    "rule_fewest-quota-breaks": ("QUOTUM DOORBROKEN (toegestaan door de organisator)",
                                 "QUOTA BROKEN (allowed by the organiser)"),
    "members": ("Panelleden (pseudoniemen)", "Panel members (pseudonyms)"),
    "members_note": ("{r} personen staan op de reservelijst (volgorde in draw.json).",
                     "{r} people are on the reserve list (order in draw.json)."),
    "how_to_verify": ("Zelf controleren", "Check it yourself"),
    "how_to_verify_text": (
        "Iedereen kan deze loting nacontroleren met lottery.json, draw.json en de seed. "
        "`sha256sum lottery.json` moet de commitment geven die vóór het bestaan van de seed is gepubliceerd: "
        "alleen die vergelijking (of `--commitment`) toont dat dit het vastgelegde bestand is. "
        "`sortition verify draw.json --commitment COMMITMENT` controleert de commitment, rekent panel en "
        "reservelijst opnieuw uit uit commitment en seed (ook een legacy-loting), speelt elke vervanging na volgens "
        "de reserveregel, controleert de quota van het getrokken panel en van elk panel van de loterij, de kansen, "
        "en of het oefenvlag (select) klopt met wat draw.json zegt; met `--record-sha256` ook dat draw.json het na "
        "de laatste vervanging gepubliceerde bestand is. De referentie-verifier in docs/ (alleen "
        "Python-standaardbibliotheek, `check-draw lottery.json draw.json COMMITMENT`) rekent onafhankelijk "
        "commitment, panel, reservelijst en de vervangingen na, maar niet de quota van de panels en de kansen, "
        "en geen legacy-loting.",
        "Anyone can check this draw from lottery.json, draw.json and the seed. "
        "`sha256sum lottery.json` must print the commitment that was published before the seed existed: only "
        "that comparison (or `--commitment`) shows this is the committed file. "
        "`sortition verify draw.json --commitment COMMITMENT` checks the commitment, recomputes the panel and the "
        "reserve list from commitment and seed (a legacy lottery too), replays every replacement by the reserve "
        "rule, checks the quotas of the drawn panel and of every panel of the lottery, the probabilities, and that "
        "the practice flag (select) agrees with what draw.json states; with `--record-sha256` also that draw.json "
        "is the file published after the last replacement. The reference verifier in docs/ (Python standard "
        "library only, `check-draw lottery.json draw.json COMMITMENT`) independently recomputes the commitment, "
        "the panel, the reserve list and the replacements, but not the quotas of the panels nor the "
        "probabilities, and no legacy lottery."),
    "privacy": ("Dit verslag bevat alleen pseudoniemen en aantallen per quotumwaarde, geen namen of adressen.",
                "This report holds pseudonyms and counts per quota value only, no names or addresses."),
}


def check_lang(lang: str) -> str:
    """The language code, checked; raises InputError for a language the reports do not speak."""
    if lang not in LANGUAGES:
        raise InputError(f"unknown report language {lang!r}; choose one of {', '.join(LANGUAGES)}.")
    return lang


def text(key: str, lang: str, **values: object) -> str:
    """The report text for ``key`` in ``lang``, with ``values`` filled in."""
    nl, en = _TEXT[key]
    return (nl if lang == "nl" else en).format(**values)


def has_text(key: str) -> bool:
    return key in _TEXT
