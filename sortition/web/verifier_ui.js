/*
 * The verifier page's screen: files in, checks out, in Dutch (default) or English.
 *
 * The checks themselves live in verifier.js (SortitionVerifier.verifyDraw); this file only reads the
 * files the resident picks or drops (FileReader, nothing is uploaded) and shows the result. Every value
 * that comes from a file is put on the page with textContent, never as HTML.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
"use strict";

(function () {
  const V = window.SortitionVerifier;

  /* ------------------------------------------------------------------ texts */

  // Each check: a title and a one-line explanation for someone who has never heard of a hash.
  const TEXT = {
    nl: {
      title: "Controleer een loting",
      intro: "Met deze pagina controleert u zelf of een loting eerlijk is verlopen. U heeft twee bestanden nodig die de gemeente publiceert: lottery.json (de loterij, vastgelegd vóór de loting) en draw.json (de uitslag). Alles wordt op uw eigen computer nagerekend; er wordt niets verstuurd.",
      step_files: "1. Kies de twee bestanden",
      drop: "Sleep lottery.json en draw.json hierheen, of kies ze hieronder.",
      lottery_label: "Loterij (lottery.json)",
      draw_label: "Uitslag (draw.json)",
      step_codes: "2. Vul de gepubliceerde codes in (aanbevolen)",
      codes_help: "De gemeente publiceert vóór de loting een code van 64 tekens (de vingerafdruk van lottery.json) en na elke vervanging de vingerafdruk van draw.json. Plak ze hier om te zien of uw bestanden precies die zijn.",
      commitment_label: "Vingerafdruk van de loterij, vooraf gepubliceerd (SHA-256)",
      record_label: "Vingerafdruk van de uitslag, gepubliceerd na de laatste vervanging (SHA-256)",
      results: "Controles",
      facts: "Wat er geloot is",
      lang_switch: "English",
      verdict_empty: "Kies of sleep lottery.json en draw.json om de controle te starten.",
      verdict_busy: "Bezig met narekenen…",
      verdict_verified: "Klopt: alle controles zijn geslaagd.",
      verdict_failed: "Klopt niet: {n} controle(s) mislukt:",
      verdict_incomplete: "Alle controles die deze pagina kan doen, zijn geslaagd; één controle kan alleen met het programma sortition.",
      verdict_unpublished: "Vul ook de vooraf gepubliceerde vingerafdruk in: pas dan weet u dat dit de loterij is die vóór de loting bekend was.",
      verdict_early_stop: "De berekening van deze loterij stopte bij de tijdslimiet{limit}: laagste kans {lowest}; de eerlijkst mogelijke laagste kans is hoogstens {bound}. Dat verandert niets aan de controles: elk panel voldoet aan de quota.",
      verdict_early_stop_unknown: "De berekening van deze loterij stopte bij de tijdslimiet{limit}: laagste kans {lowest}, die lager kan zijn dan de eerlijkst mogelijke. Dat verandert niets aan de controles: elk panel voldoet aan de quota.",
      early_stop_limit: " van {seconds} s",
      verdict_record: "Er is {events} keer iemand vervangen: vul ook de na de laatste vervanging gepubliceerde vingerafdruk van draw.json in, zodat u ziet dat er geen vervanging is weggelaten.",
      verdict_practice: "Let op: volgens draw.json is de vingerafdruk niet vóór de seed gepubliceerd. Dit is een oefenloting, geen controleerbare openbare loting.",
      status_pass: "geslaagd",
      status_fail: "mislukt",
      status_cli: "vraagt het programma",
      status_note: "ter informatie",
      status_skip: "niet uitgevoerd",
      fact_commitment: "Vingerafdruk van lottery.json (SHA-256)",
      fact_seed: "Seed (de openbare toevalsuitkomst)",
      fact_seed_marks: "Gemarkeerde tekens zijn geen gewone letters, cijfers of leestekens (U+… is hun code); controleer ze extra.",
      fact_source: "Vooraf aangekondigde bron van de seed",
      fact_index: "Getrokken panel",
      fact_index_value: "nummer {index} van de {m} panels in de loterij (geteld vanaf 0)",
      fact_index_legacy: "herberekend door het programma sortition (oude methode)",
      fact_size: "Aantal leden",
      fact_reserves: "Reserves op volgorde",
      fact_events: "Vervangingen",
      fact_record: "Vingerafdruk van draw.json (SHA-256)",
      fact_published: "Vingerafdruk vóór de seed gepubliceerd",
      yes: "ja",
      no: "nee (oefenloting)",
      fact_panel: "Huidige panelleden (schuilnamen)",
      none: "(geen)",
      file_none: "nog geen bestand",
      file_loaded: "geladen: {name}",
      file_unknown: "{name} is geen lottery.json of draw.json van sortition en is overgeslagen.",
      checks: {
        files: ["De bestanden zijn leesbaar", "Beide bestanden moeten geldige JSON-bestanden van sortition zijn."],
        published_commitment: ["De loterij is de vooraf bekendgemaakte", "De vingerafdruk (SHA-256) van lottery.json moet gelijk zijn aan de code die de gemeente vóór de loting publiceerde."],
        commitment: ["De uitslag hoort bij deze loterij", "draw.json noemt de vingerafdruk van de loterij waaruit geloot is; die moet gelijk zijn aan die van lottery.json."],
        seed: ["Het toeval komt van een openbare gebeurtenis", "De seed is de uitkomst van een openbare toevalsgebeurtenis ná de bekendmaking; vergelijk hem met de gepubliceerde uitkomst."],
        outcome: ["Panel en reservelijst volgen uit het toeval", "Deze pagina herhaalt de loting zelf met de vingerafdruk en de seed, en moet hetzelfde panel en dezelfde volgorde van reserves vinden."],
        record_form: ["draw.json is onveranderd", "Het bestand moet precies zo zijn als sortition het schreef: geen velden erbij of eraf, niets anders opgemaakt."],
        drawn_panel: ["Het panel voldoet aan de quota", "Van elke groep (bijv. leeftijd of wijk) zitten er minstens het minimum en hoogstens het maximum in het panel, en nooit twee mensen uit één huishouden als die regel geldt."],
        events: ["Vervangingen volgen de vaste regel", "Wie afhaakt, wordt vervangen door de eerste reserve op de lijst die binnen de quota past; elke vervanging is aan de vorige gekoppeld zodat niets ongemerkt verandert."],
        lottery_panels: ["Alle mogelijke panels voldoen aan de quota", "De loterij bestaat uit een vaste lijst panels waaruit er één is geloot; elk daarvan moet aan dezelfde regels voldoen."],
        probabilities: ["De vermelde kansen kloppen", "Ieders kans om geloot te worden is het aantal panels waarin die persoon zit, gedeeld door het aantal panels."],
        published_record: ["draw.json is de laatst gepubliceerde versie", "De vingerafdruk van draw.json moet gelijk zijn aan de code die na de laatste vervanging is gepubliceerd; alleen zo ziet u dat er geen vervanging is weggelaten."],
        beacon: ["De seed is de vooraf vastgelegde drand-ronde", "lottery.json legt vooraf vast welke ronde van drand (een openbare toevalsbron) de seed geeft; draw.json bewaart die ronde. De seed moet de uitkomst van precies die ronde zijn."],
        practice: ["Openbare loting of oefening", "draw.json zegt of de vingerafdruk vóór de seed gepubliceerd is; een oefenloting (vastgelegd in lottery.json) mag dat niet beweren."],
      },
      details: {
        malformed: "lottery.json is onvolledig of beschadigd (bij {detail}).",
        error: "Onverwachte fout: {detail}",
        not_json: "{file} is geen geldig JSON-bestand.",
        typed_not_sha: "De ingevulde code “{typed}” is geen SHA-256 (64 tekens 0-9 en a-f).",
        published_commitment_ok: "SHA-256 van lottery.json = de gepubliceerde code.",
        published_commitment_differs: "SHA-256 van lottery.json is {actual}, maar de ingevulde code is {typed}: dit is een ander bestand.",
        published_commitment_missing: "Niet ingevuld: vul de vooraf gepubliceerde code hierboven in om dit te controleren.",
        draw_format: "draw.json heeft formaat “{format}”, geen uitslag van sortition (sortition-draw/1).",
        lottery_format: "lottery.json heeft formaat “{format}”, geen loterij van sortition (sortition-lottery/1).",
        seed_empty: "De seed in draw.json is leeg.",
        no_panels: "lottery.json bevat geen panels en is geen loterij volgens de oude methode.",
        commitment_differs: "draw.json noemt {recorded}, maar de SHA-256 van lottery.json is {actual}.",
        commitment_ok: "Beide noemen {actual}.",
        seed_info: "Vergelijk deze seed met de uitkomst die toen openbaar werd gemaakt:",
        seed_drand: "De seed komt van drand{round_text}. Of het echt de uitkomst van die ronde is (de handtekening van drand), kan deze pagina niet controleren: daarvoor is het programma sortition of een BLS-bibliotheek nodig. De seed:",
        round_text: " (ronde {round})",
        skipped: "Niet uitgevoerd, omdat de vorige controle mislukte.",
        seed_not_normal: "De seed in draw.json staat niet in de vaste schrijfwijze (Unicode NFC, zonder spaties eromheen).",
        index_differs: "draw.json noemt panel {recorded}, maar de seed geeft panel {index} (van {m}).",
        panel_differs: "De leden in draw.json zijn niet die van panel {index}, het panel dat de seed aanwijst.",
        reserves_differ: "De reservelijst in draw.json is niet de volgorde die de seed geeft.",
        outcome_legacy: "De reservelijst klopt. Het panel zelf is geloot met de oude methode; die kan alleen het programma sortition herhalen (sortition verify draw.json).",
        outcome_ok: "De seed wijst panel {index} van {m} aan: {size} leden; de {reserves} reserves staan in de juiste volgorde.",
        record_form_ok: "Byte voor byte zoals sortition het schrijft.",
        record_reformatted: "Alleen de opmaak (spaties, regeleinden of volgorde) is veranderd, de inhoud is gelijk. Een gepubliceerd bestand hoort onveranderd te zijn: vraag het originele bestand op.",
        record_fields: "draw.json bevat andere velden of waarden dan de uitslag die sortition schrijft.",
        drawn_unknown: "Het panel noemt {person}, die niet in de loterij staat.",
        drawn_breaks: "Het panel voldoet niet: {problems}.",
        drawn_ok: "Alle {size} leden samen voldoen aan elke quotum en de huishoudregel.",
        panel_unknown: "Panel {n} noemt {person}, die niet in de loterij staat.",
        panel_breaks: "Panel {n} voldoet niet: {problems}.",
        lottery_panels_ok: "Alle {m} panels van elk {k} mensen voldoen.",
        lottery_panels_legacy: "De oude methode heeft geen vaste lijst panels; niets na te rekenen.",
        probabilities_people: "De lijst met kansen en de lijst met mensen noemen niet dezelfde mensen.",
        probabilities_unlabelled: "Een loterij zonder panels moet haar kansen als schattingen aanmerken.",
        probabilities_estimates: "Oude methode: de kansen zijn schattingen (niets na te rekenen).",
        probability_range: "{person}: vermelde kans {stated} is geen getal van 0 tot en met 1.",
        probability_differs: "{person}: vermelde kans {stated}, maar deze persoon zit in {count} van de {m} panels.",
        probabilities_ok: "Elke kans = aantal panels met die persoon / {m}.",
        published_record_ok: "SHA-256 van draw.json = de gepubliceerde code ({events} vervanging(en)).",
        published_record_differs: "SHA-256 van draw.json is {actual}, maar de ingevulde code is {typed}: dit is niet de gepubliceerde versie (er kan een vervanging zijn weggelaten of toegevoegd).",
        published_record_missing: "Niet ingevuld: vul de code in die na de laatste vervanging is gepubliceerd ({events} vervanging(en) in dit bestand).",
        published_record_none: "Niet ingevuld. Er is niemand vervangen; publiceerde de gemeente toch een vingerafdruk van draw.json, vul die dan in.",
        events_not_list: "De vervangingen in draw.json staan niet in een lijst.",
        events_none: "Er is niemand vervangen.",
        event_not_replacement: "Gebeurtenis {at} is geen vervanging.",
        event_chain: "Vervanging {at} is niet gekoppeld aan de uitslag ervóór (de keten is verbroken): er is iets veranderd of tussengevoegd.",
        event_dropout: "Vervanging {at}: {person} zat op dat moment niet in het panel.",
        event_no_reserve: "Vervanging {at}: volgens de regel kan niemand {person} vervangen.",
        event_differs: "Vervanging {at} noemt {recorded}, maar de regel geeft {expected} (reserve nummer {rank}).",
        events_ok: "{count} vervanging(en), elk precies volgens de regel en de keten is heel.",
        events_ok_breaks: "{count} vervanging(en) volgens de regel, waarvan {breaks} met toegestane overschrijding van een quotum; de keten is heel.",
        reserve_unknown: "De reservelijst noemt {person}, die niet in de loterij staat.",
        beacon_uncommitted: "draw.json bevat een drand-ronde, maar lottery.json legt geen ronde vast: de seed was niet vooraf vastgelegd.",
        beacon_missing: "lottery.json legt drand-ronde {round} vast, maar draw.json bevat geen ronde: de seed is er niet mee te vergelijken.",
        beacon_malformed: "De drand-ronde in draw.json is onvolledig of beschadigd.",
        beacon_round: "draw.json bevat drand-ronde {round}, maar lottery.json legt ronde {committed} vast.",
        beacon_randomness: "De uitkomst van ronde {round} in draw.json is niet de SHA-256 van haar handtekening.",
        beacon_seed: "De seed is niet de uitkomst van drand-ronde {round} ({randomness}).",
        beacon_cli: "Ronde {round} is de vastgelegde, haar uitkomst is de SHA-256 van de handtekening en gelijk aan de seed. Of de handtekening echt van drand is (BLS), kan alleen het programma sortition controleren (sortition verify draw.json).",
        beacon_cli_past: "Ronde {round} is de vastgelegde en haar uitkomst is de seed, MAAR lottery.json staat een ronde toe die al bekend kon zijn: deze seed bewijst niets (alleen voor oefening). De handtekening (BLS) controleert alleen het programma sortition.",
        practice_claim: "draw.json zegt niet met ja of nee (true/false) of de vingerafdruk vóór de seed gepubliceerd is.",
        practice_claims_public: "lottery.json legt vast dat dit een oefenloting is, maar draw.json beweert dat de vingerafdruk vóór de seed gepubliceerd is.",
        practice_public: "Openbare loting: volgens draw.json is de vingerafdruk vóór de seed gepubliceerd (alleen de publicatiemomenten kunnen dat aantonen).",
        practice_select: "Oefenloting (vastgelegd in lottery.json): de vingerafdruk is niet vóór de seed gepubliceerd, dus deze loting bewijst niets over wie de seed kon kennen.",
        practice_not_public: "Geen openbare loting: volgens draw.json is de vingerafdruk niet vóór de seed gepubliceerd, dus deze loting bewijst niets over wie de seed kon kennen.",
      },
    },
    en: {
      title: "Check a draw",
      intro: "With this page you check for yourself that a panel draw was fair. You need two files the municipality publishes: lottery.json (the lottery, fixed before the draw) and draw.json (the result). Everything is recomputed on your own computer; nothing is sent anywhere.",
      step_files: "1. Choose the two files",
      drop: "Drop lottery.json and draw.json here, or choose them below.",
      lottery_label: "Lottery (lottery.json)",
      draw_label: "Result (draw.json)",
      step_codes: "2. Type the published codes (recommended)",
      codes_help: "Before the draw the municipality publishes a 64-character code (the fingerprint of lottery.json), and after each replacement the fingerprint of draw.json. Paste them here to see whether your files are exactly those.",
      commitment_label: "Fingerprint of the lottery, published beforehand (SHA-256)",
      record_label: "Fingerprint of the result, published after the last replacement (SHA-256)",
      results: "Checks",
      facts: "What was drawn",
      lang_switch: "Nederlands",
      verdict_empty: "Choose or drop lottery.json and draw.json to start the check.",
      verdict_busy: "Recomputing…",
      verdict_verified: "Verified: every check passed.",
      verdict_failed: "Does not verify: {n} check(s) failed:",
      verdict_incomplete: "Every check this page can do passed; one check needs the sortition program.",
      verdict_unpublished: "Also type the fingerprint published beforehand: only then do you know this is the lottery announced before the draw.",
      verdict_early_stop: "This lottery's computation stopped early at the time limit{limit}: lowest probability {lowest}; the fairest possible is at most {bound}. This does not affect the checks: every panel meets the quotas.",
      verdict_early_stop_unknown: "This lottery's computation stopped early at the time limit{limit}: lowest probability {lowest}, which may be lower than the fairest possible. This does not affect the checks: every panel meets the quotas.",
      early_stop_limit: " of {seconds} s",
      verdict_record: "{events} replacement(s) were made: also type the fingerprint of draw.json published after the last one, to see that no replacement was left out.",
      verdict_practice: "Note: according to draw.json the fingerprint was not published before the seed. This is a practice draw, not a verifiable public draw.",
      status_pass: "passed",
      status_fail: "failed",
      status_cli: "needs the program",
      status_note: "for information",
      status_skip: "not run",
      fact_commitment: "Fingerprint of lottery.json (SHA-256)",
      fact_seed: "Seed (the public random outcome)",
      fact_seed_marks: "Marked characters are not plain letters, digits or punctuation (U+… is their code); check them closely.",
      fact_source: "Seed source announced beforehand",
      fact_index: "Panel drawn",
      fact_index_value: "number {index} of the {m} panels in the lottery (counting from 0)",
      fact_index_legacy: "recomputed by the sortition program (legacy method)",
      fact_size: "Members",
      fact_reserves: "Reserves in order",
      fact_events: "Replacements",
      fact_record: "Fingerprint of draw.json (SHA-256)",
      fact_published: "Fingerprint published before the seed",
      yes: "yes",
      no: "no (practice draw)",
      fact_panel: "Current panel members (pseudonyms)",
      none: "(none)",
      file_none: "no file yet",
      file_loaded: "loaded: {name}",
      file_unknown: "{name} is not a sortition lottery.json or draw.json and was skipped.",
      checks: {
        files: ["The files can be read", "Both files must be valid JSON files written by sortition."],
        published_commitment: ["The lottery is the one announced beforehand", "The fingerprint (SHA-256) of lottery.json must equal the code the municipality published before the draw."],
        commitment: ["The result belongs to this lottery", "draw.json names the fingerprint of the lottery it was drawn from; it must equal that of lottery.json."],
        seed: ["The chance comes from a public event", "The seed is the outcome of a public random event after the announcement; compare it with the published outcome."],
        outcome: ["Panel and reserve list follow from the chance", "This page redoes the draw itself from the fingerprint and the seed, and must find the same panel and the same order of reserves."],
        record_form: ["draw.json is unchanged", "The file must be exactly as sortition wrote it: no fields added or removed, nothing reformatted."],
        drawn_panel: ["The panel meets the quotas", "Each group (e.g. age or district) has at least its minimum and at most its maximum on the panel, and never two people of one household when that rule applies."],
        events: ["Replacements follow the fixed rule", "Whoever drops out is replaced by the first reserve on the list who fits the quotas; each replacement is linked to the one before, so nothing changes unnoticed."],
        lottery_panels: ["Every possible panel meets the quotas", "The lottery is a fixed list of panels of which one was drawn; each of them must meet the same rules."],
        probabilities: ["The stated chances are right", "Each person's chance of being drawn is the number of panels they are on, divided by the number of panels."],
        published_record: ["draw.json is the latest published version", "The fingerprint of draw.json must equal the code published after the last replacement; only that shows no replacement was left out."],
        beacon: ["The seed is the committed drand round", "lottery.json fixes beforehand which round of drand (a public randomness source) gives the seed; draw.json keeps that round. The seed must be the outcome of exactly that round."],
        practice: ["Public draw or practice", "draw.json states whether the fingerprint was published before the seed; a practice draw (fixed in lottery.json) may not claim that."],
      },
      details: {
        malformed: "lottery.json is incomplete or damaged (at {detail}).",
        error: "Unexpected error: {detail}",
        not_json: "{file} is not a valid JSON file.",
        typed_not_sha: "The code typed, “{typed}”, is not a SHA-256 (64 characters 0-9 and a-f).",
        published_commitment_ok: "SHA-256 of lottery.json = the published code.",
        published_commitment_differs: "SHA-256 of lottery.json is {actual}, but the code typed is {typed}: this is another file.",
        published_commitment_missing: "Not typed: type the code published beforehand above to check this.",
        draw_format: "draw.json has format “{format}”, not a sortition result (sortition-draw/1).",
        lottery_format: "lottery.json has format “{format}”, not a sortition lottery (sortition-lottery/1).",
        seed_empty: "The seed in draw.json is empty.",
        no_panels: "lottery.json has no panels and is not a legacy lottery.",
        commitment_differs: "draw.json names {recorded}, but the SHA-256 of lottery.json is {actual}.",
        commitment_ok: "Both name {actual}.",
        seed_info: "Compare this seed with the outcome that was made public at the time:",
        seed_drand: "The seed comes from drand{round_text}. Whether it really is that round's outcome (drand's signature) this page cannot check: that needs the sortition program or a BLS library. The seed:",
        round_text: " (round {round})",
        skipped: "Not run, because the check before it failed.",
        seed_not_normal: "The seed in draw.json is not in its fixed spelling (Unicode NFC, no spaces around it).",
        index_differs: "draw.json names panel {recorded}, but the seed gives panel {index} (of {m}).",
        panel_differs: "The members in draw.json are not those of panel {index}, the panel the seed selects.",
        reserves_differ: "The reserve list in draw.json is not the order the seed gives.",
        outcome_legacy: "The reserve list is right. The panel itself was drawn with the legacy method, which only the sortition program can redo (sortition verify draw.json).",
        outcome_ok: "The seed selects panel {index} of {m}: {size} members; the {reserves} reserves are in the right order.",
        record_form_ok: "Byte for byte as sortition writes it.",
        record_reformatted: "Only the layout (spaces, line breaks or order) changed; the content is the same. A published file should be unchanged: ask for the original file.",
        record_fields: "draw.json holds other fields or values than the result sortition writes.",
        drawn_unknown: "The panel names {person}, who is not in the lottery.",
        drawn_breaks: "The panel does not comply: {problems}.",
        drawn_ok: "All {size} members together meet every quota and the household rule.",
        panel_unknown: "Panel {n} names {person}, who is not in the lottery.",
        panel_breaks: "Panel {n} does not comply: {problems}.",
        lottery_panels_ok: "All {m} panels of {k} people each comply.",
        lottery_panels_legacy: "The legacy method has no fixed list of panels; nothing to recompute.",
        probabilities_people: "The list of chances and the list of people name different people.",
        probabilities_unlabelled: "A lottery without panels must label its chances as estimates.",
        probabilities_estimates: "Legacy method: the chances are estimates (nothing to recompute).",
        probability_range: "{person}: stated chance {stated} is not a number from 0 to 1.",
        probability_differs: "{person}: stated chance {stated}, but this person is on {count} of the {m} panels.",
        probabilities_ok: "Every chance = panels with that person / {m}.",
        published_record_ok: "SHA-256 of draw.json = the published code ({events} replacement(s)).",
        published_record_differs: "SHA-256 of draw.json is {actual}, but the code typed is {typed}: this is not the published version (a replacement may have been removed or added).",
        published_record_missing: "Not typed: type the code published after the last replacement ({events} replacement(s) in this file).",
        published_record_none: "Not typed. Nobody was replaced; if the municipality published a fingerprint of draw.json anyway, type it.",
        events_not_list: "The replacements in draw.json are not a list.",
        events_none: "Nobody was replaced.",
        event_not_replacement: "Event {at} is not a replacement.",
        event_chain: "Replacement {at} is not linked to the result before it (the chain is broken): something was changed or inserted.",
        event_dropout: "Replacement {at}: {person} was not on the panel at that point.",
        event_no_reserve: "Replacement {at}: under the rule nobody can replace {person}.",
        event_differs: "Replacement {at} names {recorded}, but the rule gives {expected} (reserve number {rank}).",
        events_ok: "{count} replacement(s), each exactly by the rule, and the chain is intact.",
        events_ok_breaks: "{count} replacement(s) by the rule, {breaks} of them with an allowed quota break; the chain is intact.",
        reserve_unknown: "The reserve list names {person}, who is not in the lottery.",
        beacon_uncommitted: "draw.json holds a drand round, but lottery.json commits to none: the seed was not fixed beforehand.",
        beacon_missing: "lottery.json commits to drand round {round}, but draw.json holds no round: the seed cannot be checked against it.",
        beacon_malformed: "The drand round in draw.json is incomplete or damaged.",
        beacon_round: "draw.json holds drand round {round}, but lottery.json commits to round {committed}.",
        beacon_randomness: "The randomness of round {round} in draw.json is not the SHA-256 of its signature.",
        beacon_seed: "The seed is not the randomness of drand round {round} ({randomness}).",
        beacon_cli: "Round {round} is the committed one, its randomness is the SHA-256 of its signature and equals the seed. Whether the signature really is drand's (BLS) only the sortition program can check (sortition verify draw.json).",
        beacon_cli_past: "Round {round} is the committed one and its randomness is the seed, BUT lottery.json allows a round that may already have been known: this seed proves nothing (practice only). Only the sortition program checks the signature (BLS).",
        practice_claim: "draw.json does not say with true or false whether the fingerprint was published before the seed.",
        practice_claims_public: "lottery.json fixes that this is a practice draw, but draw.json claims the fingerprint was published before the seed.",
        practice_public: "Public draw: according to draw.json the fingerprint was published before the seed (only the publication times can show it).",
        practice_select: "Practice draw (fixed in lottery.json): the fingerprint was not published before the seed, so this draw proves nothing about who could know the seed.",
        practice_not_public: "Not a public draw: according to draw.json the fingerprint was not published before the seed, so this draw proves nothing about who could know the seed.",
      },
    },
  };

  /** Fill {name} placeholders; the result is plain text (it goes to textContent). */
  function fill(template, args) {
    return template.replace(/\{(\w+)\}/g, (_, name) => (name in args ? String(args[name]) : `{${name}}`));
  }

  /** Quota problems are written in English by the rules ("age 16-29: 3 not in [4, 6]"); say them in Dutch. */
  function problemsText(text, lang) {
    if (lang !== "nl") return text;
    return text
      .replace(/: (\d+) not in \[(\d+), (\d+)\]/g, ": $1, niet tussen $2 en $3")
      .replace(/a person appears twice/g, "iemand staat er twee keer in")
      .replace(/panel has (\d+) members, not (\d+)/g, "het panel heeft $1 leden, niet $2")
      .replace(/two members share a household/g, "twee leden delen een huishouden");
  }

  /* ------------------------------------------------------------------ state */

  const state = {
    lang: /(^|[#&])en\b/.test(location.hash) ? "en" : "nl",
    files: { lottery: null, draw: null }, // {name, bytes}
    result: null,
    busy: false,
    run: 0,
  };

  const $ = (id) => document.getElementById(id);
  const t = (key) => TEXT[state.lang][key];

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else node.setAttribute(k, v);
    }
    for (const child of children) node.append(child); // strings become text nodes, never markup
    return node;
  }

  /* ------------------------------------------------------------------ rendering */

  function renderStatic() {
    document.documentElement.lang = state.lang;
    document.title = t("title");
    for (const node of document.querySelectorAll("[data-text]")) node.textContent = t(node.dataset.text);
    $("lang").textContent = t("lang_switch");
    $("lang").setAttribute("lang", state.lang === "nl" ? "en" : "nl");
    $("drop-message").textContent = (state.skipped || []).map((name) => fill(t("file_unknown"), { name })).join(" ");
    for (const which of ["lottery", "draw"]) {
      const f = state.files[which];
      $(`${which}-name`).textContent = f ? fill(t("file_loaded"), { name: f.name }) : t("file_none");
    }
  }

  function renderVerdict() {
    const box = $("verdict");
    const r = state.result;
    box.replaceChildren();
    let kind = "empty";
    let text = t("verdict_empty");
    if (state.busy) {
      kind = "busy";
      text = t("verdict_busy");
    } else if (r) {
      kind = r.verdict;
      const failed = r.checks.filter((c) => c.status === "fail").length;
      text = fill(t(`verdict_${r.verdict}`), { n: failed });
    }
    box.dataset.verdict = kind;
    box.append(el("p", { class: "verdict-main" }, el("span", { class: "mark", "aria-hidden": "true" },
      { verified: "✓", failed: "✗", incomplete: "!", busy: "…", empty: "?" }[kind]), " ", text));
    if (r && !state.busy && r.verdict !== "verified") {
      // Name the checks that failed (or need the program) right under the verdict.
      const status = r.verdict === "failed" ? "fail" : "cli";
      const list = el("ul", { class: "failed" });
      for (const c of r.checks.filter((x) => x.status === status)) list.append(el("li", {}, TEXT[state.lang].checks[c.id][0]));
      box.append(list);
    }
    if (r && !state.busy && r.verdict !== "failed") {
      // What the files alone cannot show: that they are the published ones, and a practice draw.
      const warn = (text) => box.append(el("p", { class: "warn" }, el("span", { "aria-hidden": "true" }, "⚠ "), text));
      const typed = (id) => r.checks.some((c) => c.id === id && c.status === "note");
      if (r.facts.publishedBeforeSeed === false) warn(t("verdict_practice"));
      if (typed("published_commitment")) warn(t("verdict_unpublished"));
      if (r.facts.events > 0 && typed("published_record")) warn(fill(t("verdict_record"), { events: r.facts.events }));
      if (r.facts.earlyStop) warn(earlyStopText(r.facts.earlyStop));
    }
  }

  /** The notice for a lottery stopped early at the time limit (the reports' early_stop text). */
  function earlyStopText(stop) {
    const pct = (v) => {
      const text = `${(100 * v).toFixed(2)}%`;
      return state.lang === "nl" ? text.replace(".", ",") : text;
    };
    const seconds = stop.limit === null ? "" : String(stop.limit).replace(".", state.lang === "nl" ? "," : ".");
    const limit = seconds ? fill(t("early_stop_limit"), { seconds }) : "";
    const key = stop.bound === null ? "verdict_early_stop_unknown" : "verdict_early_stop";
    return fill(t(key), { limit, lowest: pct(stop.lowest), bound: stop.bound === null ? "" : pct(stop.bound) });
  }

  function renderChecks() {
    const list = $("checks");
    list.replaceChildren();
    const r = state.result;
    $("results").hidden = !r || state.busy;
    if (!r || state.busy) return;
    const texts = TEXT[state.lang];
    for (const c of r.checks) {
      const [title, why] = texts.checks[c.id];
      const args = { ...c.args };
      if ("problems" in args) args.problems = problemsText(args.problems, state.lang);
      if (c.key === "seed_drand") args.round_text = args.round ? fill(texts.details.round_text, args) : "";
      const mark = { pass: "✓", fail: "✗", cli: "!", note: "i", skip: "–" }[c.status];
      const body = el("div", {},
        el("p", { class: "check-title" }, title, " ", el("span", { class: "status" }, `(${t(`status_${c.status}`)})`)),
        el("p", { class: "why" }, why),
        el("p", { class: "detail" }, fill(texts.details[c.key] || c.key, args)));
      if (c.id === "seed") {
        body.append(seedNode(r.facts.seed, "seed"));
        if (r.facts.seedSource) body.append(el("p", { class: "detail" }, `${t("fact_source")}: `, r.facts.seedSource));
      }
      list.append(el("li", { class: `check ${c.status}`, "data-check": c.id, "data-status": c.status, "data-key": c.key },
        el("span", { class: "mark", "aria-hidden": "true" }, mark), body));
    }
    renderFacts(r.facts);
  }

  /** The seed with every character that is not plain printable ASCII marked with its code point. */
  function seedNode(seed, id) {
    const code = el("code", id ? { class: "seed", id } : { class: "seed" });
    let marked = false;
    for (const piece of V.seedPieces(seed)) {
      if (!piece.code) {
        code.append(piece.text);
        continue;
      }
      marked = true;
      code.append(el("span", { class: piece.invisible ? "char invisible" : "char" }, piece.text,
        el("small", {}, piece.code)));
    }
    const wrap = el("div", {}, code);
    if (marked) wrap.append(el("p", { class: "hint" }, t("fact_seed_marks")));
    return wrap;
  }

  function renderFacts(f) {
    const dl = $("facts");
    dl.replaceChildren();
    const row = (label, value) => dl.append(el("dt", {}, label), el("dd", {}, value));
    if (f.lotteryHash) row(t("fact_commitment"), el("code", { class: "hash" }, f.lotteryHash));
    if (f.seed !== undefined) row(t("fact_seed"), seedNode(f.seed));
    if (f.seedSource) row(t("fact_source"), f.seedSource);
    if (f.legacy) row(t("fact_index"), t("fact_index_legacy"));
    else if (f.panelIndex !== undefined) row(t("fact_index"), fill(t("fact_index_value"), { index: f.panelIndex, m: f.panels }));
    if (f.currentPanel) row(t("fact_size"), String(f.currentPanel.length));
    if (f.reserves !== undefined) row(t("fact_reserves"), String(f.reserves));
    if (f.events !== undefined) row(t("fact_events"), String(f.events));
    if (f.publishedBeforeSeed !== undefined) row(t("fact_published"), f.publishedBeforeSeed ? t("yes") : t("no"));
    if (f.drawHash) row(t("fact_record"), el("code", { class: "hash" }, f.drawHash));
    if (f.currentPanel) {
      const names = f.currentPanel.length ? f.currentPanel.join(" ") : t("none");
      row(t("fact_panel"), el("details", {}, el("summary", {}, String(f.currentPanel.length)), el("code", { class: "ids" }, names)));
    }
  }

  function render() {
    renderStatic();
    renderVerdict();
    renderChecks();
  }

  /* ------------------------------------------------------------------ verifying */

  async function verifyBytes(lotteryBytes, drawBytes, commitment, recordSha256) {
    const run = ++state.run;
    state.busy = true;
    render();
    let result;
    try {
      result = await V.verifyDraw({ lotteryBytes, drawBytes, commitment, recordSha256 });
    } catch (e) {
      result = { verdict: "failed", checks: [{ id: "files", status: "fail", key: "error", args: { detail: String(e) } }], facts: {} };
    }
    if (run === state.run) {
      state.result = result;
      state.busy = false;
      render();
    }
    return result;
  }

  function verifyLoaded() {
    const { lottery, draw } = state.files;
    if (!lottery || !draw) {
      state.result = null;
      render();
      return Promise.resolve(null);
    }
    return verifyBytes(lottery.bytes, draw.bytes, $("commitment").value, $("record-sha256").value);
  }

  /** Which of the two files this is: by its "format" field, else the box it was picked in, else its name. */
  function kindOf(name, bytes, picked) {
    const text = new TextDecoder().decode(bytes);
    const format = /"format"\s*:\s*"(sortition-lottery\/1|sortition-draw\/1)"/.exec(text);
    if (format) return format[1] === "sortition-draw/1" ? "draw" : "lottery";
    if (picked) return picked;
    if (/lottery/i.test(name)) return "lottery";
    if (/draw/i.test(name)) return "draw";
    return null;
  }

  function readFile(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader(); // local read only: nothing leaves the computer
      reader.onload = () => resolve(new Uint8Array(reader.result));
      reader.onerror = () => reject(reader.error);
      reader.readAsArrayBuffer(file);
    });
  }

  async function takeFiles(files, picked) {
    const skipped = [];
    for (const file of files) {
      const bytes = await readFile(file);
      const kind = kindOf(file.name, bytes, picked);
      if (kind) state.files[kind] = { name: file.name, bytes };
      else skipped.push(file.name);
    }
    state.skipped = skipped;
    await verifyLoaded();
  }

  function setup() {
    window.addEventListener("hashchange", () => {
      state.lang = /(^|[#&])en\b/.test(location.hash) ? "en" : "nl";
      render();
    });
    $("lang").addEventListener("click", () => {
      state.lang = state.lang === "nl" ? "en" : "nl";
      history.replaceState(null, "", state.lang === "en" ? "#en" : "#nl");
      render();
    });
    $("lottery-file").addEventListener("change", (e) => takeFiles(e.target.files, "lottery"));
    $("draw-file").addEventListener("change", (e) => takeFiles(e.target.files, "draw"));
    let timer = null;
    for (const id of ["commitment", "record-sha256"]) {
      $(id).addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(verifyLoaded, 250);
      });
    }
    const zone = $("drop");
    for (const target of [document.body, zone]) {
      target.addEventListener("dragover", (e) => {
        e.preventDefault();
        zone.classList.add("over");
      });
    }
    document.body.addEventListener("dragleave", () => zone.classList.remove("over"));
    document.body.addEventListener("drop", (e) => {
      e.preventDefault();
      zone.classList.remove("over");
      takeFiles(e.dataTransfer.files, null);
    });
    render();
  }

  // For tests and scripts: verify given texts (or bytes) and show the result, as if the files were picked.
  window.sortitionVerifierPage = {
    verifyTexts(lotteryText, drawText, commitment = "", recordSha256 = "") {
      const bytes = (x) => (typeof x === "string" ? new TextEncoder().encode(x) : new Uint8Array(x));
      state.files.lottery = { name: "lottery.json", bytes: bytes(lotteryText) };
      state.files.draw = { name: "draw.json", bytes: bytes(drawText) };
      $("commitment").value = commitment;
      $("record-sha256").value = recordSha256;
      return verifyLoaded();
    },
    setLanguage(lang) {
      state.lang = lang === "en" ? "en" : "nl";
      render();
    },
    get result() {
      return state.result;
    },
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
