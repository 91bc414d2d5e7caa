"""The words of the public reports, in Dutch and English.

Only report text lives here; category names and values are shown as the quota file spells them.
"""

from __future__ import annotations

from quotas.errors import InputError

LANGUAGES = ("nl", "en")

_TEXT: dict[str, tuple[str, str]] = {  # key: (nl, en)
    "title": ("Verslag van de loting", "Draw report"),
    "subtitle": ("Burgerpanel van {k}, gekozen door loting uit {n}",
                 "Panel of {k}, drawn by lot from a pool of {n}"),
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
    "ledger_ok": ("Logboek (ledger.jsonl): hashketen intact, {n}.",
                  "Ledger (ledger.jsonl): hash chain intact, {n}."),
    "ledger_broken": ("Logboek (ledger.jsonl): hashketen VERBROKEN bij regel {n}.",
                      "Ledger (ledger.jsonl): hash chain BROKEN at line {n}."),
    "facts": ("Kerngegevens", "Key facts"),
    "commitment": ("Commitment (SHA-256 van lottery.json)", "Commitment (SHA-256 of lottery.json)"),
    "seed_source": ("Aangekondigde bron van de seed", "Announced seed source"),
    "seed": ("Seed", "Seed"),
    "seed_beacon": ("Seed uit drand (quicknet)", "Seed from drand (quicknet)"),
    "seed_beacon_value": ("ronde {round}, gepubliceerd op {time} UTC; de seed is de randomness van die ronde, "
                          "met de BLS-handtekening gecontroleerd. De commitment moet vóór dat tijdstip "
                          "gepubliceerd zijn.",
                          "round {round}, published at {time} UTC; the seed is that round's randomness, its BLS "
                          "signature checked. The commitment must have been published before that moment."),
    "past_round": ("Ronde mogelijk al bekend bij de voorbereiding", "Round possibly known when prepared"),
    "past_round_yes": ("JA (--allow-past-round): de ronde kan al gepubliceerd zijn vóór de commitment; deze seed "
                       "bewijst niets (oefenloting)",
                       "YES (--allow-past-round): the round may have been published before the commitment; this "
                       "seed proves nothing (practice draw)"),
    "past_round_no": ("nee: een al gepubliceerde ronde werd geweigerd", "no: an already published round was refused"),
    "published_first": ("Commitment gepubliceerd vóór de seed", "Commitment published before the seed"),
    "yes": ("ja", "yes"),
    "yes_plain": ("ja", "yes"),
    "no_plain": ("nee", "no"),
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
    "quotas_intro_population": ("Lijkt het panel op de gemeente? Per waarde het aandeel in de bevolking, in de "
                                "aanmeldingen en in het panel, met het quotum.",
                                "Does the panel look like the town? Per value its share of the population, "
                                "of the pool and of the panel, with the quota."),
    "population": ("bevolking", "population"),
    "legend_population": ("aandeel in de bevolking", "share of the population"),
    "bar_label": ("panel {n} van {k} · quotum {lo}–{hi}", "panel {n} of {k} · quota {lo}–{hi}"),
    "value": ("waarde", "value"),
    "pool": ("aangemeld", "pool"),
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
    "prob_summary": ("Laagste kans {min}, mediaan {median}, hoogste {max}; {ones} op elk panel, "
                     "{zeros} op geen enkel panel. Gelijke kans voor iedereen zou {equal} zijn.",
                     "Lowest probability {min}, median {median}, highest {max}; {ones} people on every panel, "
                     "{zeros} on none. An equal chance for everyone would be {equal}."),
    "histogram": ("Verdeling van de kansen: de hoogte van een kolom is het aantal personen met die kans "
                  "(links klein, rechts groot). Hoogste kolom: {peak}.",
                  "Distribution of the chances: a column's height is the number of people with that chance "
                  "(small on the left, large on the right). Tallest column: {peak}."),
    "histogram_equal": ("Oranje stippellijn: gelijke kans voor iedereen ({equal}).",
                        "Orange dashed line: an equal chance for everyone ({equal})."),
    "people": ("personen", "people"),
    "equal_chance": ("gelijke kans", "equal chance"),
    "probability": ("kans", "probability"),
    "statistics": ("Berekening", "Computation"),
    "stat_distribution_min_probability": ("Laagste kans vóór afronding", "Lowest chance before rounding"),
    "explain_distribution_min_probability": (
        "De eerlijkste verdeling die de berekening vond, geeft niemand een kleinere kans dan dit.",
        "The fairest distribution the computation found gives nobody a smaller chance than this."),
    "stat_time_limit_reached": ("Tijdslimiet bereikt", "Time limit reached"),
    "explain_time_limit_reached": (
        "Bij ‘ja’ stopte de berekening vóór het einde: elk panel voldoet aan de quota, maar de kansen zijn "
        "mogelijk iets minder gelijk dan haalbaar was.",
        "If ‘yes’, the computation stopped early: every panel meets the quotas, but the chances may be "
        "slightly less equal than possible."),
    "stat_min_probability_reached": ("Laagste kans bij het stoppen", "Lowest chance when stopped"),
    "explain_min_probability_reached": (
        "De laagste kans die de berekening bereikte vóór de tijdslimiet, van wie gekozen kan worden (vóór "
        "afronding).",
        "The lowest chance the computation reached before the time limit, of those who can be chosen (before "
        "rounding)."),
    "stat_min_probability_upper_bound": ("Eerlijkst mogelijke laagste kans: hoogstens",
                                         "Fairest possible lowest chance: at most"),
    "explain_min_probability_upper_bound": (
        "Bewezen bovengrens: geen loterij die aan de quota voldoet, geeft iedereen een grotere kans dan dit. "
        "Het verschil met de laagste kans hierboven is hoe ver deze loterij hoogstens van de eerlijkste af ligt.",
        "A proven upper bound: no lottery meeting the quotas gives everyone a larger chance than this. The "
        "difference with the lowest chance above is how far this lottery can be from the fairest, at most."),
    "early_stop_bound": (
        "Gestopt bij de tijdslimiet{limit}: laagste kans {lowest}; de eerlijkst mogelijke laagste kans is "
        "hoogstens {bound}. Elk panel voldoet aan de quota en de loting is even controleerbaar.",
        "Stopped early at the time limit{limit}: lowest probability {lowest}; the fairest possible is at most "
        "{bound}. Every panel meets the quotas and the draw is just as verifiable."),
    "early_stop_optimal": (
        "Gestopt bij de tijdslimiet{limit}: de laagste kans, {lowest}, is de eerlijkst mogelijke, maar de hogere "
        "kansen zijn niet allemaal zo ver verhoogd als kon. Elk panel voldoet aan de quota en de loting is even "
        "controleerbaar.",
        "Stopped early at the time limit{limit}: the lowest probability, {lowest}, is the fairest possible, but "
        "the higher ones were not all raised as far as they could be. Every panel meets the quotas and the draw "
        "is just as verifiable."),
    "early_stop_unknown": (
        "Gestopt bij de tijdslimiet{limit}: laagste kans {lowest}; die kan lager zijn dan de eerlijkst mogelijke. "
        "Elk panel voldoet aan de quota en de loting is even controleerbaar.",
        "Stopped early at the time limit{limit}: lowest probability {lowest}, which may be lower than the "
        "fairest possible. Every panel meets the quotas and the draw is just as verifiable."),
    "early_stop_limit": (" van {seconds} s", " of {seconds} s"),
    "stat_rounding_max_deviation": ("Grootste verschil door afronding", "Largest difference from rounding"),
    "explain_rounding_max_deviation": (
        "De loterij bestaat uit {m} even waarschijnlijke panels; daardoor wijkt iemands kans hoogstens zoveel "
        "af van de berekende verdeling.",
        "The lottery consists of {m} equally likely panels, so a person's chance differs from the computed "
        "distribution by at most this much."),
    "stat_rounding_bound": ("Gegarandeerd maximum van dat verschil", "Guaranteed maximum of that difference"),
    "explain_rounding_bound": (
        "De afrondingsmethode belooft vooraf dat het verschil nooit groter wordt dan dit; het gemeten "
        "verschil hierboven blijft eronder.",
        "The rounding method promises in advance that the difference never exceeds this; the measured "
        "difference above stays below it."),
    "stat_legacy_min_probability": ("Laagste kans met het oude algoritme (schatting)",
                                    "Lowest chance with the legacy algorithm (estimate)"),
    "explain_legacy_min_probability": (
        "Geschat door het oude algoritme vele keren te laten lopen en te tellen hoe vaak iemand gekozen werd.",
        "Estimated by running the legacy algorithm many times and counting how often each person was chosen."),
    "glossary": ("Wat betekent dit?", "What does this mean?"),
    "glossary_commitment": (
        "Commitment: een vingerafdruk (SHA-256) van het loterijbestand, gepubliceerd vóórdat de seed bekend "
        "was; zo kon niemand de loterij achteraf aanpassen.",
        "Commitment: a fingerprint (SHA-256) of the lottery file, published before the seed was known, so "
        "nobody could change the lottery afterwards."),
    "glossary_seed": (
        "Seed: de openbare toevalsuitkomst (bijvoorbeeld lottotrekking of dobbelstenen) die bepaalt welk panel "
        "getrokken wordt.",
        "Seed: the public random outcome (for example lottery numbers or dice) that decides which panel is "
        "drawn."),
    "glossary_pseudonym": (
        "Pseudoniem: een code per persoon in plaats van een naam; alleen de organisator kan die code aan een "
        "naam koppelen.",
        "Pseudonym: a code per person instead of a name; only the organiser can link the code to a name."),
    "verification": ("Controle", "Verification"),
    "verification_intro": ("Opnieuw nagerekend uit de openbare bestanden (sortition verify):",
                           "Recomputed from the public files (sortition verify):"),
    "check_failed_detail": ("technische melding (Engels)", "technical message"),
    "check_commitment": ("Commitment klopt", "Commitment matches"),
    "explain_commitment": ("De vingerafdruk van lottery.json is precies de gepubliceerde commitment: de loterij "
                           "is na publicatie niet veranderd.",
                           "The fingerprint of lottery.json is exactly the published commitment: the lottery "
                           "did not change after it was published."),
    "check_outcome": ("Panel en reservelijst nagerekend", "Panel and reserve list recomputed"),
    "explain_outcome": ("Uit de commitment en de seed volgt precies dit panel en deze reservelijst; niemand "
                        "heeft iemand gekozen.",
                        "The commitment and the seed give exactly this panel and reserve list; nobody chose "
                        "anyone."),
    "check_panel_quotas": ("Getrokken panel voldoet aan de quota", "Drawn panel meets the quotas"),
    "explain_panel_quotas": ("Het getrokken panel heeft voor elke waarde een aantal binnen het quotum (en "
                             "hoogstens één persoon per huishouden als die regel geldt).",
                             "The drawn panel has a number within the quota for every value (and at most one "
                             "person per household where that rule applies)."),
    "check_replacements": ("Vervangingen volgens de regel", "Replacements follow the rule"),
    "explain_replacements": ("Elke vervanger is de persoon die de vastgelegde regel aanwijst, en de keten van "
                             "vervangingen is niet aangepast.",
                             "Every replacement is the person the committed rule points to, and the chain of "
                             "replacements was not altered."),
    "check_lottery_panels": ("Alle panels in de loterij voldoen aan de quota",
                             "Every panel in the lottery meets the quotas"),
    "explain_lottery_panels": ("Elk panel waaruit geloot werd, voldoet aan alle quota; welk panel ook "
                               "getrokken was, het was een geldig panel.",
                               "Every panel the draw could pick meets all quotas: whichever panel was drawn, "
                               "it was a valid one."),
    "check_probabilities": ("Kansen kloppen met de panels", "Chances follow from the panels"),
    "explain_probabilities": ("Iemands kans is het aantal panels waarop die persoon staat, gedeeld door het "
                              "aantal panels; elke vermelde kans klopt.",
                              "A person's chance is the number of panels they are on, divided by the number "
                              "of panels; every stated chance is correct."),
    "check_inputs": ("Invoerbestanden kloppen", "Input files match"),
    "explain_inputs": ("De vingerafdrukken van de invoerbestanden zijn gelijk aan die in lottery.json.",
                       "The fingerprints of the input files equal those in lottery.json."),
    "check_published_commitment": ("Commitment is de gepubliceerde", "Commitment is the published one"),
    "explain_published_commitment": ("De vingerafdruk van lottery.json is gelijk aan de commitment die de "
                                     "organisator vóór de seed publiceerde.",
                                     "The fingerprint of lottery.json equals the commitment the organiser "
                                     "published before the seed."),
    "check_beacon": ("Seed is de vastgelegde drand-ronde", "Seed is the committed drand round"),
    "explain_beacon": ("De seed is de willekeur van de drand-ronde die in lottery.json was vastgelegd, met een "
                       "geldige handtekening van drand: niemand kon hem kiezen.",
                       "The seed is the randomness of the drand round committed in lottery.json, with a valid "
                       "drand signature: nobody could choose it."),
    "check_practice": ("Openbare loting of oefening", "Public draw or practice"),
    "explain_practice": ("Het bestand zegt eerlijk of de commitment vóór de seed gepubliceerd is; een "
                         "oefenloting kan zich niet voordoen als openbare loting.",
                         "The record states honestly whether the commitment was published before the seed; "
                         "a practice draw cannot pass for a public one."),
    "check_record": ("Het gepubliceerde verslagbestand", "The published record"),
    "explain_record": ("draw.json is precies het gepubliceerde bestand: er is geen vervanging weggelaten of "
                       "toegevoegd.", "draw.json is exactly the published file: no replacement was removed "
                       "or added."),
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
    "members_note": ("Op de reservelijst: {r} (volgorde in draw.json).",
                     "On the reserve list: {r} (order in draw.json)."),
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


_NOUNS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {  # key: ((nl one, nl many), (en one, en many))
    "person": (("persoon", "personen"), ("person", "people")),
    "signup": (("aanmelding", "aanmeldingen"), ("person", "people")),
    "line": (("regel", "regels"), ("line", "lines")),
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


def count(n: int, noun: str, lang: str) -> str:
    """``n`` and the noun in singular or plural: ``1 persoon``, ``2 personen``, ``1 person``, ``0 people``."""
    nl, en = _NOUNS[noun]
    one, many = nl if lang == "nl" else en
    return f"{n} {one if n == 1 else many}"


def number(value: float, lang: str, digits: int = 2) -> str:
    """A decimal number: comma in Dutch (``0,25``), point in English (``0.25``)."""
    out = f"{value:.{digits}f}"
    return out.replace(".", ",") if lang == "nl" else out


def percent(share: float, lang: str, digits: int = 0) -> str:
    """A share (0 to 1) as a percentage: ``12,5%`` in Dutch, ``12.5%`` in English."""
    return number(100 * share, lang, digits) + "%"


def yes_no(flag: object, lang: str) -> str:
    """``ja``/``nee`` or ``yes``/``no`` for a flag (a number counts as true when not 0)."""
    return text("yes_plain" if flag else "no_plain", lang)
