"""Builds the shipped meeting data/ccpcj31/: an illustrative side-event programme for the 31st CCPCJ.

Illustrative, not the official programme: the session's dates, venue, hybrid set-up and themes follow
the UN Information Service press release of 16 May 2022; titles and organizers are hand-written
examples; speakers are fictitious people. The programme is feasible by construction
(``scheduler.construct``): a hidden valid placement is made first and speakers, organizers,
unavailability and pins are derived from it.

    python examples/build_ccpcj31.py            # (re)write data/ccpcj31/
    python examples/build_ccpcj31.py --check    # exit 1 if data/ccpcj31/ differs from what this builds
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import date, time
from pathlib import Path
from zoneinfo import ZoneInfo

from scheduler.construct import Blueprint, Construction, EventSeed, construct, physical_tightness
from scheduler.generate import person_names
from scheduler.grid import SlotSpec, local
from scheduler.model import BlockedPeriod, Meeting, Room, Unavailability
from scheduler.output import write_tree_atomic

SEED = 31
OUT = Path(__file__).resolve().parents[1] / "data" / "ccpcj31"
VIENNA = ZoneInfo("Europe/Vienna")
DAYS = tuple(date(2022, 5, d) for d in range(16, 21))
PHYSICAL = frozenset({"in_person", "hybrid"})
VIRTUAL = frozenset({"virtual"})

MEETING = Meeting(
    id="ccpcj31",
    name="31st session of the Commission on Crime Prevention and Criminal Justice",
    timezone="Europe/Vienna",
    days=DAYS,
    uid_domain="ccpcj31.example.org",
    remote_hours=(time(7, 0), time(22, 0)),
    venue="Vienna International Centre",
)

# In-person/hybrid side events before the morning plenary, at lunch (two slots Monday to Thursday) and
# after the afternoon plenary (not on Friday); online-only slots around them for speakers far away.
SLOTS = (
    SlotSpec(time(7, 10), time(8, 0), VIRTUAL),
    SlotSpec(time(8, 10), time(9, 0), PHYSICAL),
    SlotSpec(time(11, 10), time(12, 0), VIRTUAL),
    SlotSpec(time(12, 10), time(13, 0), VIRTUAL),
    SlotSpec(time(13, 10), time(14, 0), PHYSICAL),
    SlotSpec(time(14, 10), time(15, 0), PHYSICAL, DAYS[:4]),
    SlotSpec(time(15, 10), time(16, 0), VIRTUAL),
    SlotSpec(time(16, 10), time(17, 0), VIRTUAL),
    SlotSpec(time(17, 10), time(18, 0), VIRTUAL),
    SlotSpec(time(18, 10), time(19, 0), PHYSICAL, DAYS[:4]),
    SlotSpec(time(19, 10), time(20, 0), VIRTUAL),
    SlotSpec(time(20, 10), time(21, 0), VIRTUAL),
    SlotSpec(time(21, 10), time(22, 0), VIRTUAL),
)


def _at(day: int, hhmm: str):
    """Vienna time on May ``day`` 2022."""
    return local(date(2022, 5, day), time.fromisoformat(hhmm), VIENNA)


BLOCKED = (
    BlockedPeriod(_at(16, "08:00"), _at(16, "13:00"),
                  "Opening of the session and special event on the Kyoto Declaration", PHYSICAL),
    BlockedPeriod(_at(18, "14:00"), _at(18, "18:00"),
                  "Thematic discussion: digital evidence and countering cybercrime", PHYSICAL),
    BlockedPeriod(_at(20, "15:00"), _at(20, "18:00"), "Adoption of the report and closing of the session"),
)

ROOMS = (
    Room("M1", "Conference Room M1", "physical", 120, True, "M"),
    Room("M2", "Conference Room M2", "physical", 60, False, "M"),
    Room("M3", "Conference Room M3", "physical", 180, True, "M"),
    Room("M7", "Conference Room M7", "physical", 400, True, "M"),
    Room("BR-B", "Boardroom B", "physical", 80, True, "C"),
    Room("BR-D", "Plenary Board Room D", "physical", 300, True, "C"),
    Room("C3", "Conference Room C3", "physical", 40, False, "C"),
    Room("CR4", "Meeting Room CR4", "physical", 20, False, "CR"),
    Room("V-A", "Online channel A", "virtual"),
    Room("V-B", "Online channel B", "virtual"),
    Room("V-C", "Online channel C", "virtual"),
)

ROOM_CLOSURES = (
    Unavailability("room", "BR-B", _at(17, "18:00"), _at(17, "20:00"), "Reception hosted by the Chair"),
    Unavailability("room", "M2", _at(19, "07:00"), _at(19, "12:00"), "Maintenance of interpretation booths"),
    Unavailability("room", "C3", _at(20, "07:00"), _at(20, "22:00"), "Used as a plenary overflow room"),
)

ZONES = (
    ("America/Anchorage", 0.5),
    ("America/Los_Angeles", 1.0),
    ("America/Mexico_City", 1.0),
    ("America/Bogota", 1.0),
    ("America/New_York", 1.5),
    ("America/Sao_Paulo", 1.0),
    ("Europe/London", 1.0),
    ("Africa/Abidjan", 1.0),
    ("Africa/Lagos", 1.0),
    ("Africa/Nairobi", 1.0),
    ("Africa/Johannesburg", 1.0),
    ("Asia/Dubai", 1.0),
    ("Asia/Kolkata", 1.5),
    ("Asia/Bangkok", 1.0),
    ("Asia/Manila", 1.0),
    ("Asia/Tokyo", 1.5),
    ("Australia/Sydney", 1.0),
    ("Pacific/Auckland", 1.0),
)

MIN_CAPACITY = {5: 150, 4: 60}  # flagship events get the large rooms
UNODC = "UNODC"
JAPAN = "Permanent Mission of Japan"

# (organizer, title, topics, kind, priority, description); kind: P one physical slot, P2 two, V/V2 online.
# A trailing "private" or a pin ("room"/"start"/"both") may follow.
EVENTS: tuple[tuple, ...] = (
    # Digital evidence and cybercrime (the thematic discussion)
    (UNODC, "Launch of the Practical Guide for Requesting Electronic Evidence Across Borders",
     "digital-evidence;cybercrime;international-cooperation", "P2", 5,
     "Presentation of the updated guide for central authorities, prosecutors and service providers."),
    ("Permanent Mission of the United States of America",
     "Admissibility of electronic evidence in court: judges' views", "digital-evidence;judiciary", "P", 3,
     "Judges from three legal traditions on authenticity, integrity and the weight of electronic evidence."),
    ("Council of Europe", "The Second Additional Protocol to the Budapest Convention: what changes for practitioners",
     "cybercrime;digital-evidence;international-cooperation", "P2", 4, ""),
    ("Permanent Mission of Brazil", "Preserving data held by communication service providers, fast",
     "digital-evidence;private-sector", "P", 3,
     "Expedited preservation requests in practice: what providers need, and what prosecutors can ask for."),
    ("ITU", "Cybersecurity capacity, cybercrime prevention & the Global Cybersecurity Agenda",
     "cybercrime;capacity-building", "V", 3, ""),
    ("INTERPOL", "Ransomware: following the money across jurisdictions", "cybercrime;money-laundering", "P", 4, ""),
    ("Permanent Mission of Portugal", "Jurisdiction in cyberspace: who investigates what?",
     "cybercrime;jurisdiction", "P", 3, ""),
    ("Global Initiative against Transnational Organized Crime",
     "Safeguarding human rights in the collection of digital evidence", "digital-evidence;human-rights", "P", 3,
     "How to keep surveillance, data retention and cross-border requests within human-rights law."),
    ("Permanent Mission of Nigeria",
     "Countering online fraud in West Africa: law enforcement and service providers working together",
     "cybercrime;private-sector", "P", 3, ""),
    ("Permanent Mission of Estonia", "E-justice in practice: digital case files from police to court",
     "digital-evidence;e-justice", "P", 3, ""),
    (UNODC, "Cryptocurrency investigations: results of the Global Programme on Cybercrime",
     "cybercrime;money-laundering", "V2", 3, ""),
    ("Permanent Mission of India", "Digital forensics laboratories: standards, accreditation & chain of custody",
     "digital-evidence;forensics", "P", 3, ""),
    ("Korean Institute of Criminology and Justice", "AI-assisted analysis of digital evidence: promise and pitfalls",
     "digital-evidence;artificial-intelligence", "V", 3, ""),
    # Online child sexual exploitation
    ("UNICEF", "Protecting children from online sexual exploitation and abuse: public-private partnerships",
     "child-protection;online-exploitation;private-sector", "P2", 5,
     "Follows the draft resolution on national legal frameworks to protect children from sexual exploitation."),
    ("ECPAT International",
     '"Nothing about us without us": survivors shaping responses to online child sexual exploitation',
     "child-protection;victims", "P", 4, ""),
    ("Internet Watch Foundation",
     "Detecting child sexual abuse material at scale: hashes, classifiers & human review",
     "child-protection;online-exploitation;technology", "P", 3, ""),
    ("Permanent Mission of the Philippines", "Livestreamed child sexual abuse: investigations across borders",
     "child-protection;online-exploitation;international-cooperation", "P", 4, ""),
    ("Permanent Mission of Australia", "Safety by design: what industry owes children online",
     "child-protection;private-sector", "V", 3, ""),
    ("Permanent Mission of Sweden", "Child-friendly justice: interviews, Barnahus and the courts",
     "child-protection;victims", "P", 3, ""),
    ("UNICRI", "Children recruited by criminal groups online: prevention through education",
     "child-protection;youth;organized-crime", "P", 3, ""),
    ("Terre des Hommes", "Ten years after Sweetie: lessons from fighting webcam child sex tourism",
     "child-protection;online-exploitation", "V", 2, ""),
    # Wildlife trafficking and crimes that affect the environment
    ("Permanent Mission of Kenya", "A legal framework against wildlife trafficking: is a new protocol needed?",
     "wildlife;organized-crime;legal-framework", "P2", 4,
     "Discussion of the draft resolution on illicit trafficking in specimens of wild fauna and flora."),
    ("CITES Secretariat", "Wildlife crime and CITES: enforcement gaps and the ICCWC toolkit",
     "wildlife;enforcement", "P", 3, ""),
    ("Wildlife Justice Commission",
     "Following the pangolin: intelligence-led investigations of wildlife trafficking networks",
     "wildlife;organized-crime", "P", 3, "Case studies from Nigeria, Viet Nam and Mozambique."),
    ("TRAFFIC", "Online marketplaces and the illegal wildlife trade", "wildlife;cybercrime;private-sector", "V", 3, ""),
    ("UNEP", "Crimes that affect the environment: illegal mining, logging & waste trafficking",
     "environmental-crime;organized-crime", "P", 3, ""),
    ("Permanent Mission of Colombia", "Deforestation and organized crime in the Amazon",
     "environmental-crime;organized-crime", "P", 3, ""),
    ("Environmental Investigation Agency", "Financial investigations into timber trafficking",
     "environmental-crime;money-laundering", "P", 2, ""),
    ("Permanent Mission of Thailand", "Reducing demand for illegally traded wildlife products in South-East Asia",
     "wildlife;crime-prevention", "V", 3, ""),
    ("Permanent Mission of Indonesia", "Fisheries crime and maritime security", "environmental-crime;organized-crime",
     "P", 3, ""),
    # Reoffending, rehabilitation and reintegration
    (JAPAN, "Reducing reoffending through rehabilitation and reintegration: the Kyoto Declaration in action",
     "reoffending;rehabilitation;kyoto-declaration", "P2", 5,
     "Introduces the draft resolution on reducing reoffending through rehabilitation and reintegration.", "both"),
    ("UNAFEI", "Volunteer probation officers around the world: the Hogoshi model",
     "rehabilitation;reintegration;community", "P", 3, ""),
    ("Penal Reform International", "Launch of Global Prison Trends 2022", "prisons;nelson-mandela-rules", "P2", 4,
     "Annual flagship report on prison populations, conditions and reform."),
    ("Prison Fellowship International", "Community reintegration programmes: evidence on what works",
     "reintegration;community", "P", 3, ""),
    ("Permanent Mission of Norway", "Normality in prisons: the Norwegian model and reoffending",
     "prisons;reoffending", "P", 3, "Small units, dynamic security and education: what the recidivism data show."),
    (UNODC, "Education & work in prisons: a global programme for rehabilitation", "prisons;rehabilitation", "P", 3, ""),
    ("Permanent Mission of Singapore", "The Yellow Ribbon Project: employers as partners in reintegration",
     "reintegration;private-sector", "V", 3, ""),
    ("Permanent Mission of Canada", "Indigenous peoples and criminal justice: restorative and reintegrative responses",
     "restorative-justice;reintegration;indigenous-peoples", "P", 3, ""),
    ("Thailand Institute of Justice", "The Bangkok Rules at twelve: women prisoners and their reintegration",
     "women-in-justice;prisons;reintegration", "P2", 4, ""),
    ("Permanent Mission of South Africa", "After release: families, housing and jobs for former prisoners",
     "reintegration;social-inclusion", "P", 3, ""),
    # Kyoto Declaration follow-up
    (JAPAN, "Kyoto Declaration, one year on: taking stock of implementation", "kyoto-declaration;crime-prevention",
     "P2", 5, "Stock-taking by member states, the UNODC and the institutes of the programme network.", "start"),
    (UNODC, "Following up the Kyoto Declaration: a thematic programme for the Commission", "kyoto-declaration",
     "P", 4, ""),
    ("Permanent Mission of Italy", "From Kyoto to the Fifteenth Crime Congress: the way forward",
     "kyoto-declaration;congress", "P", 3, ""),
    ("Academic Council on the United Nations System",
     "Kyoto Declaration commitments & academia: research partnerships for crime prevention",
     "kyoto-declaration;research", "V", 2, ""),
    ("Permanent Mission of Qatar", "Youth and the Kyoto Declaration: a culture of lawfulness",
     "kyoto-declaration;youth", "P", 3, ""),
    (UNODC, "Education for Justice: teaching the rule of law in schools", "youth;rule-of-law;education", "P", 3, ""),
    # Women in criminal justice
    ("UN Women", "A justice system trusted by women, and that works for women", "women-in-justice;gender", "P2", 5,
     "With the Executive Directors of UN Women and the UNODC.\nInterpretation in all six official languages.",
     "room"),
    ("Permanent Mission of México",
     "Mujeres en la justicia: women judges, prosecutors and police in México and Central America",
     "women-in-justice", "P", 3, ""),
    ("International Association of Women Judges", "Gender-responsive courts: thirty years of the IAWJ",
     "women-in-justice;judiciary", "P", 3, ""),
    ("Permanent Mission of Spain", "Femicide: data, prevention & criminal justice responses",
     "gender;violence-against-women", "P2", 4,
     "Panel followed by the presentation of a regional observatory on gender-related killings."),
    (UNODC, "Gender-related killings of women and girls: new global estimates", "gender;data", "P", 4, ""),
    ("Soroptimist International", "Women in prison: pathways in and out", "women-in-justice;prisons", "V", 3, ""),
    ("Permanent Mission of Côte d'Ivoire",
     "Women in law enforcement in West Africa: recruitment, retention & leadership", "women-in-justice;policing",
     "P", 3, ""),
    ("Permanent Mission of Argentina", "A gender perspective in investigations of trafficking in persons",
     "gender;trafficking-in-persons", "P", 3, ""),
    # Corruption
    ("Transparency International", "Beneficial ownership transparency: closing the loopholes",
     "corruption;money-laundering", "P", 3, ""),
    ("Permanent Mission of Egypt", "Corruption in sport and major events", "corruption;sport", "P", 3, ""),
    (UNODC, "The GlobE Network: law enforcement cooperation against corruption, one year on",
     "corruption;international-cooperation", "P2", 4, ""),
    ("Permanent Mission of Saudi Arabia", "Asset recovery: returning stolen assets to the people they belong to",
     "corruption;asset-recovery", "P", 3, ""),
    ("UNDP", "Anti-corruption in the COVID-19 recovery", "corruption;covid-19", "V", 3, ""),
    # Trafficking in persons and smuggling of migrants
    ("IOM", "Trafficking in persons in conflict and displacement: the war in Ukraine and beyond",
     "trafficking-in-persons;migration", "P2", 4,
     "Risks for people fleeing conflict, and how screening at borders and reception centres can identify victims."),
    ("La Strada International", "Non-punishment of trafficked persons: from principle to practice",
     "trafficking-in-persons;victims;human-rights", "P", 3, ""),
    ("Permanent Mission of the United Kingdom of Great Britain and Northern Ireland",
     "Modern slavery in supply chains: holding companies to account", "trafficking-in-persons;private-sector", "P", 3,
     ""),
    (UNODC, "Global Report on Trafficking in Persons: key findings for practitioners", "trafficking-in-persons;data",
     "P", 4, ""),
    ("Permanent Mission of Ghana", "Trafficked into crime: online scams, forced labour and forced criminality",
     "trafficking-in-persons;cybercrime", "P", 3, ""),
    ("OSCE", "Technology-facilitated trafficking in human beings", "trafficking-in-persons;cybercrime;technology", "V",
     3, ""),
    ("Permanent Mission of Italy", "Smuggling of migrants by sea: saving lives, prosecuting smugglers",
     "smuggling-of-migrants;human-rights", "P", 3, ""),
    ("UNHCR", "Protection-sensitive responses to the smuggling of migrants", "smuggling-of-migrants;refugees", "P", 3,
     ""),
    ("Permanent Mission of Morocco", "Smuggling of migrants on the Atlantic route: regional cooperation",
     "smuggling-of-migrants;international-cooperation", "P", 3, ""),
    ("Permanent Mission of Türkiye", "Document fraud and migrant smuggling: the forensic examination of documents",
     "smuggling-of-migrants;forensics", "P", 2, ""),
    # Firearms
    ("Permanent Mission of Germany", "Illicit firearms in the Western Balkans: results of the roadmap",
     "firearms;organized-crime", "P", 3, "Results of the regional roadmap on small arms and light weapons, 2018-2024."),
    (UNODC, "Tracing firearms in criminal investigations, and the Firearms Protocol", "firearms", "P", 3, ""),
    ("Permanent Mission of Panama", "Firearms and gang violence in Latin America & the Caribbean",
     "firearms;youth;violence", "P", 3, ""),
    # Prisons and the Nelson Mandela Rules
    ("Association for the Prevention of Torture", "Monitoring places of detention under the Nelson Mandela Rules",
     "prisons;nelson-mandela-rules;human-rights", "P", 3, ""),
    ("Permanent Mission of Austria", "Prison overcrowding and alternatives to imprisonment: the Tokyo Rules today",
     "prisons;alternatives-to-imprisonment", "P2", 4, ""),
    ("International Corrections and Prisons Association", "Digital inclusion in prisons: technology for rehabilitation",
     "prisons;technology;rehabilitation", "P", 3, ""),
    ("Permanent Mission of Kenya", "Violent extremist prisoners: disengagement and reintegration",
     "prisons;terrorism;reintegration", "P", 3, ""),
    # Youth crime prevention and restorative justice
    ("UN-Habitat", "Safer cities for young people: urban crime prevention", "youth;crime-prevention;urban-safety",
     "P", 3, ""),
    ("Permanent Mission of Colombia", 'Sport for crime prevention: results of "Line Up Live Up"',
     "youth;sport;crime-prevention", "P", 3, ""),
    ("Fundación Paz Ciudadana", "Juvenile justice in Chile: diversion and restorative approaches",
     "youth;restorative-justice", "P", 3, ""),
    ("Defence for Children International", "Ending the detention of children", "youth;children;prisons", "V", 3, ""),
    ("Permanent Mission of Jamaica", "Preventing youth violence in the Caribbean: community-led approaches",
     "youth;violence;crime-prevention", "P", 3, ""),
    ("European Forum for Restorative Justice", "Restorative justice in cases of serious crime",
     "restorative-justice;victims", "P", 3, ""),
    ("Permanent Mission of New Zealand", "Te Ao Mārama: restorative and Indigenous-led courts in Aotearoa",
     "restorative-justice;indigenous-peoples", "V", 3,
     "An online conversation with judges and Māori community leaders, timed for speakers in Aotearoa New Zealand."),
    ("Permanent Mission of Belgium", "Victim–offender mediation: twenty years of practice",
     "restorative-justice;victims", "P", 2, ""),
    # Money laundering and illicit financial flows
    ("Permanent Mission of Switzerland", "Trade-based money laundering: detection & cooperation",
     "money-laundering;organized-crime", "P", 3, ""),
    (UNODC, "goAML: financial intelligence units in the digital age", "money-laundering;technology", "P", 3, ""),
    ("World Customs Organization", "Cash couriers and illicit financial flows across borders",
     "money-laundering;borders", "P", 3, ""),
    ("Permanent Mission of the United Arab Emirates", "Virtual assets and anti-money-laundering regulation",
     "money-laundering;cybercrime", "P", 3, ""),
    # Other themes of the session
    ("UNOCT", "Countering the financing of terrorism through crowdfunding platforms", "terrorism;money-laundering",
     "P", 3, ""),
    ("World Society of Victimology", "Victims' rights in the digital age", "victims;cybercrime", "V", 3, ""),
    (UNODC, "Measuring crime: the International Classification of Crime for Statistical Purposes",
     "data;crime-prevention", "P", 2, ""),
    ("Permanent Mission of France", "Organized crime in ports: container control, risk profiling & integrity",
     "organized-crime;borders", "P", 3, ""),
    ("Permanent Mission of China", "Telecom and online fraud: cross-border cooperation",
     "cybercrime;international-cooperation", "P", 3, ""),
    ("International Association of Prosecutors", "Prosecutorial independence and the rule of law",
     "rule-of-law;judiciary", "P", 3, ""),
    ("UNICRI", "AI for law enforcement: a toolkit for responsible innovation",
     "artificial-intelligence;policing;technology", "P", 3, ""),
    ("Permanent Mission of the Republic of Korea", "Voice phishing and digital evidence: the Korean experience",
     "cybercrime;digital-evidence", "V2", 3, ""),
    ("Permanent Mission of Chile", "Crime prevention in cities of Latin America; what the data say",
     "crime-prevention;urban-safety;data", "V2", 2, ""),
    # Closed meetings (private: left out of public feeds and timetables)
    ("Permanent Mission of Austria",
     "Informal consultations on the draft resolution on the Kyoto Declaration follow-up", "kyoto-declaration", "P", 4,
     "", "private"),
    (JAPAN, "Friends of the Chair: informal exchange ahead of the thematic discussion",
     "digital-evidence;cybercrime", "P", 4, "", "private"),
    ("Permanent Mission of Nigeria", "Briefing for the Group of African States on the draft resolutions",
     "kyoto-declaration;cybercrime", "P", 3, "", "private"),
)


def seeds() -> list[EventSeed]:
    """The curated events as seeds for the builder."""
    result = []
    for number, row in enumerate(EVENTS, start=1):
        organizer, title, topics, kind, priority, description, *extra = row
        result.append(EventSeed(
            id=f"SE{number:03d}",
            title=title,
            topics=tuple(topics.split(";")),
            virtual=kind.startswith("V"),
            slots=2 if kind.endswith("2") else 1,
            organizer=organizer,
            description=description,
            visibility="private" if "private" in extra else "public",
            priority=priority,
            pin=next((x for x in extra if x in ("room", "start", "both")), None),
            min_capacity=MIN_CAPACITY.get(priority, 0),
        ))
    return result


def blueprint() -> Blueprint:
    """The frame of the session: Vienna International Centre rooms, UN-style grid, plenary blocks."""
    return Blueprint(
        meeting=MEETING,
        slot_specs=SLOTS,
        rooms=ROOMS,
        zones=ZONES,
        blocked=BLOCKED,
        room_closures=ROOM_CLOSURES,
        header=(
            "Illustrative side-event programme for the 31st CCPCJ (Vienna, 16-20 May 2022).\n"
            "NOT the official programme: see README.md. Built by examples/build_ccpcj31.py."
        ),
        hybrid_share=0.75,
        remote_share=(("hybrid", 0.55), ("virtual", 0.8)),
        speaker_counts=((1, 8), (2, 27), (3, 35), (4, 30)),
        link_base="https://webcast.example.org/ccpcj31/",
        pin_share=0.04,
        preference_share=0.3,
        speaker_unavailable=3,
        organizer_busy=2,
    )


def build() -> Construction:
    """The shipped meeting and its hidden valid schedule."""
    rng = random.Random(SEED)
    return construct(blueprint(), seeds(), rng, person_name=person_names(rng))


def readme(built: Construction) -> str:
    """README.md of the data folder: what it is (illustrative), what it holds and how it was made."""
    problem = built.problem
    events = problem.events
    by_format = {f: sum(e.format == f for e in events) for f in ("in_person", "hybrid", "virtual")}
    two_slot = sum(e.duration > 60 for e in events)
    physical = [r for r in problem.rooms if not r.is_virtual]
    remote = [s for s in problem.speakers if s.remote]
    zones = sorted({s.timezone for s in remote})
    demand, supply = physical_tightness(problem, built.schedule)
    kinds = {k: sum(u.kind == k for u in problem.unavailability) for k in ("room", "speaker", "organizer")}
    pins = sum(e.room is not None or e.start is not None for e in events)
    wishes = sum(bool(e.preferred_days or e.preferred_starts) for e in events)
    private = sum(not e.is_public for e in events)
    share = round(100 * len(remote) / len(problem.speakers))
    own_hours = sum(bool(s.earliest or s.latest) for s in remote)
    emails = sum(bool(s.email) for s in problem.speakers)
    seats = f"{min(r.capacity or 0 for r in physical)}-{max(r.capacity or 0 for r in physical)} seats"
    return f"""# CCPCJ 31 — an illustrative side-event programme

**This is not the official programme of the 31st session of the Commission on Crime Prevention and
Criminal Justice.** It is realistic example data for this scheduler. The frame follows the UN
Information Service press release of 16 May 2022 (Vienna, 16-20 May 2022, held in person and
online, over 80 side events, a thematic discussion on digital evidence and cybercrime, draft
resolutions on the Kyoto Declaration follow-up, wildlife trafficking, reducing reoffending and
protecting children from sexual exploitation). Event titles and organizers are hand-written
examples; **all speakers are fictitious people**; e-mail addresses and links use example domains.

## What it holds

- `meeting.toml`: 5 days in the venue zone Europe/Vienna, {len(problem.slots)} slots in all. In-person and
  hybrid side events at 08:10, 13:10, 14:10 (Monday-Thursday) and 18:10 (Monday-Thursday); online-only
  slots from 07:10 to 22:00; {len(problem.blocked)} blocked periods (opening, thematic discussion, closing).
- `rooms.csv`: {len(physical)} rooms of the Vienna International Centre ({seats}, \
{sum(r.hybrid for r in physical)} hybrid) and {len(problem.rooms) - len(physical)} online channels.
- `speakers.csv`: {len(problem.speakers)} speakers, {len(remote)} of them remote ({share} %) in {len(zones)} \
time zones from America/Anchorage to Pacific/Auckland (UTC-8 to UTC+12); \
{own_hours} with their own hours, {emails} with an e-mail.
- `events.csv`: {len(events)} side events by {len(problem.organizers)} organizers: {by_format["in_person"]} \
in person, {by_format["hybrid"]} hybrid, {by_format["virtual"]} virtual; {two_slot} of two slots (110 min); \
{pins} pinned, {wishes} with preferred days or starts, {private} private.
- `unavailability.csv`: {kinds["room"]} room closures, {kinds["speaker"]} speaker absences, \
{kinds["organizer"]} organizer commitments.

The programme is tight: in-person and hybrid events need {demand} of the {supply} open physical
room-slots ({100 * demand / supply:.0f} %; open = the slot admits a physical format, no blocked
period and the room is not closed).

## How it was made

`python examples/build_ccpcj31.py` (seed {SEED}) writes every file here, this README included;
`--check` verifies that the files match. It uses `scheduler.construct`: it first places every event
in a random free room and slot (a hidden valid schedule), then derives the rest from that placement
(speakers and organizers never in two events at once, remote speakers only in zones and hours that
hold their events, unavailability only in free time, pins where the events landed). So the meeting
is feasible by construction; the test suite checks that hidden schedule against every hard rule.
"""


def files() -> dict[str, str]:
    """Every file of data/ccpcj31/, README.md included."""
    built = build()
    return {**built.files, "README.md": readme(built)}


def main(argv: list[str] | None = None) -> int:
    """Write data/ccpcj31/ (or with --check, compare it with what would be written)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the folder differs from what this builds")
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder to write (default: {OUT})")
    args = parser.parse_args(argv)
    wanted = files()
    if args.check:
        stale = [name for name, text in wanted.items()
                 if not (args.out / name).is_file() or (args.out / name).read_text(encoding="utf-8") != text]
        for name in stale:
            print(f"{args.out / name}: differs from what examples/build_ccpcj31.py builds", file=sys.stderr)
        return 1 if stale else 0
    write_tree_atomic(args.out, wanted)
    print(f"wrote {len(wanted)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
