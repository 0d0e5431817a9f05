"""Synthetic meetings of any size, shaped like the shipped CCPCJ data and feasible by construction.

``generate_meeting(events, seed)`` returns the meeting's files and a hidden valid schedule (the
witness) that proves it feasible. Days and rooms grow with the number of events; physical rooms are
kept about 80 % busy. The meeting runs over the venue's spring DST change (and, when long enough,
over the southern hemisphere's autumn one), so time-zone handling is always exercised. Same seed,
same bytes: all randomness comes from one ``random.Random(seed)``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from .construct import PHYSICAL_FORMATS, Blueprint, Construction, EventSeed, construct
from .errors import UsageError
from .grid import SlotSpec, build_slots, local, overlaps
from .model import FORMATS, BlockedPeriod, Meeting, Room, Slot, Unavailability

VENUE_ZONE = "Europe/Vienna"
FIRST_DAY = date(2026, 3, 27)  # a Friday: the next meeting day, Monday 30 March, is after Europe's DST change
MAX_EVENTS = 100_000

# Remote speakers' zones: both Americas, Europe, Africa, Asia with half- and quarter-hour offsets, and the
# southern hemisphere (Sydney and Auckland leave DST on 5 April 2026).
REMOTE_ZONES: tuple[tuple[str, float], ...] = (
    ("America/Los_Angeles", 1.0),
    ("America/Mexico_City", 1.0),
    ("America/Bogota", 1.0),
    ("America/New_York", 1.5),
    ("America/Sao_Paulo", 1.0),
    ("Europe/London", 1.5),
    ("Africa/Lagos", 1.0),
    ("Africa/Nairobi", 1.0),
    ("Africa/Johannesburg", 1.0),
    ("Asia/Tehran", 0.5),
    ("Asia/Dubai", 1.0),
    ("Asia/Kolkata", 1.5),
    ("Asia/Kathmandu", 0.5),
    ("Asia/Bangkok", 1.0),
    ("Asia/Manila", 1.0),
    ("Asia/Tokyo", 1.0),
    ("Australia/Sydney", 1.0),
    ("Pacific/Auckland", 1.0),
)

# Tag, the phrase a title uses for it, and how popular it is.
TOPICS: tuple[tuple[str, str, float], ...] = (
    ("cybercrime", "responses to cybercrime", 3.0),
    ("digital-evidence", "digital evidence in criminal proceedings", 3.0),
    ("child-protection", "protecting children from online sexual exploitation", 3.0),
    ("wildlife", "wildlife trafficking", 2.0),
    ("reoffending", "reducing reoffending", 2.0),
    ("rehabilitation", "rehabilitation and reintegration of offenders", 2.0),
    ("kyoto-declaration", "the follow-up to the Kyoto Declaration", 2.0),
    ("women-in-justice", "women in criminal justice", 2.0),
    ("corruption", "anti-corruption work", 2.0),
    ("trafficking-in-persons", "trafficking in persons", 2.0),
    ("smuggling-of-migrants", "smuggling of migrants", 1.5),
    ("firearms", "illicit firearms", 1.0),
    ("prisons", "prison reform and the Nelson Mandela Rules", 1.5),
    ("youth", "youth crime prevention", 1.5),
    ("restorative-justice", "restorative justice", 1.0),
    ("environmental-crime", "crimes that affect the environment", 1.0),
    ("money-laundering", "money laundering & illicit financial flows", 1.0),
    ("victims", "support for victims", 1.0),
    ("organized-crime", "transnational organized crime", 1.5),
    ("rule-of-law", "the rule of law", 1.0),
)
OPENERS = (
    "Strengthening", "Rethinking", "Advancing", "Scaling up", "Innovations in", "Partnerships for",
    "New approaches to", "Measuring progress in", "Evidence on", "Regional cooperation on", "Beyond",
)
ANGLES = (
    "lessons from West Africa", "the view from Côte d'Ivoire", "experiences from México and Central America",
    "a South–South dialogue", "what works, and what doesn't", 'the "whole-of-society" approach',
    "prevention & response", "tools for practitioners", "launch of a new handbook", "perspectives from the Pacific",
    "voices of survivors", "a decade of practice", "good practices from São Paulo", "the role of the private sector",
    "police, prosecutors and judges working together",
)
COUNTRIES = (
    "Argentina", "Australia", "Austria", "Belgium", "Bolivia (Plurinational State of)", "Brazil", "Canada", "Chile",
    "China", "Colombia", "Costa Rica", "Côte d'Ivoire", "Czechia", "Denmark", "Ecuador", "Egypt", "Estonia",
    "Finland", "France", "Germany", "Ghana", "Greece", "Guatemala", "India", "Indonesia", "Ireland", "Italy",
    "Japan", "Jordan", "Kenya", "Malaysia", "México", "Morocco", "Netherlands (Kingdom of the)", "New Zealand",
    "Nigeria", "Norway", "Pakistan", "Panama", "Paraguay", "Peru", "Philippines", "Poland", "Portugal", "Qatar",
    "Republic of Korea", "Romania", "São Tomé and Príncipe", "Saudi Arabia", "Senegal", "Singapore", "Slovenia",
    "South Africa", "Spain", "Sri Lanka", "Sweden", "Switzerland", "Thailand", "Tunisia", "Türkiye", "Uganda",
    "United Arab Emirates", "United Kingdom of Great Britain and Northern Ireland", "United States of America",
    "Uruguay", "Viet Nam", "Zambia",
)
INTERNATIONAL = (
    "UNODC", "UN Women", "UNICRI", "UNICEF", "OHCHR", "UNDP", "UNEP", "UNHCR", "IOM", "ITU", "UNOCT", "UN-Habitat",
    "UNAFEI", "INTERPOL", "Council of Europe", "OSCE", "European Union", "African Union Commission",
    "CITES Secretariat", "World Customs Organization",
)
NGO_ADJECTIVES = (
    "International", "Global", "African", "Asia-Pacific", "European", "Latin American", "Arab", "Nordic",
    "Caribbean", "Pacific",
)
NGO_NOUNS = ("Alliance", "Network", "Foundation", "Institute", "Forum", "Coalition", "Centre", "Association",
             "Council", "Society")
NGO_AIMS = (
    "for Justice Reform", "against Trafficking", "of Prosecutors", "for Children's Rights", "on Cybercrime",
    "for Prison Reform", "of Women Judges", "for Wildlife Protection", "for Victims' Rights",
    "for Restorative Justice", "against Corruption", "for Safer Cities", "on Crime Prevention", "for Digital Rights",
    "of Criminologists",
)
FIRST_NAMES = (
    "Aïcha", "Akira", "Amina", "Ana", "Andrés", "Anja", "Arjun", "Bongani", "Camille", "Carlos", "Chen", "Chiara",
    "Chloé", "Daniel", "David", "Dmitri", "Elena", "Emeka", "Emma", "Farah", "Fatima", "François", "Gabriela",
    "Hana", "Hiroshi", "Ingrid", "Isabel", "Jamal", "Javier", "Ji-woo", "João", "Julia", "Kavya", "Kemal", "Kofi",
    "Lars", "Laura", "Leila", "Li", "Łukasz", "Maria", "Mariam", "Mateo", "Mei", "Miguel", "Nadia", "Ngozi",
    "Nikolai", "Noa", "Olga", "Omar", "Pablo", "Priya", "Rafael", "Rania", "Sakura", "Samuel", "Sara", "Siddharth",
    "Sofia", "Søren", "Tanvir", "Thandiwe", "Tomás", "Valentina", "Wanjiru", "Yusuf", "Zeynep", "Zoë",
)
LAST_NAMES = (
    "Abdullah", "Adeyemi", "Afolabi", "Al-Hashimi", "Andersson", "Banerjee", "Bauer", "Becker", "Bianchi", "Castillo",
    "Chatterjee", "Çelik", "Coulibaly", "da Silva", "Dlamini", "Đorđević", "Dubois", "Eriksen", "Fernández",
    "Fischer", "García", "Gómez", "Gonçalves", "Haddad", "Hernández", "Hoffmann", "Ibrahim", "Ivanova", "Jensen",
    "Kamau", "Kim", "Kowalski", "Kumar", "Lee", "Lindqvist", "López", "Mahlangu", "Martin", "Martínez", "Mensah",
    "Moreau", "Müller", "Nakamura", "Nguyễn", "Novak", "Nowak", "Ochieng", "O'Brien", "Okafor", "Ólafsdóttir",
    "Osei", "Park", "Patel", "Pereira", "Petrović", "Popescu", "Rahman", "Ramírez", "Rossi", "Sánchez", "Santos",
    "Sato", "Schmidt", "Singh", "Sokolov", "Suzuki", "Tanaka", "Traoré", "Van den Berg", "Wang", "Weber", "Wójcik",
    "Yamamoto", "Yılmaz", "Zhang",
)
CAPACITIES = (20, 24, 30, 40, 50, 60, 80, 100, 120, 150, 180, 200, 250, 300, 400)
BUILDINGS = ("C", "M", "E", "A")
ROOM_CLOSURE_REASONS = ("Maintenance of interpretation booths", "Set-up for a plenary overflow", "Technical rehearsal")
ROOM_DAY_REASONS = ("Reserved for informal consultations", "Renovation works", "Used as a plenary overflow room")
MORNING = timedelta(hours=5)  # a room closure longer than this is a whole-day one

# Daily grid: in-person/hybrid side events before the morning plenary, at lunch and after the afternoon
# plenary; online-only slots all day so far-away speakers can be placed. (start, end, formats, not on last day)
GRID: tuple[tuple[str, str, tuple[str, ...], bool], ...] = (
    ("07:10", "08:00", ("virtual",), False),
    ("08:10", "09:00", ("in_person", "hybrid"), False),
    ("09:10", "10:00", ("virtual",), False),
    ("10:10", "11:00", ("virtual",), False),
    ("11:10", "12:00", ("virtual",), False),
    ("12:10", "13:00", ("virtual",), False),
    ("13:10", "14:00", FORMATS, False),
    ("14:10", "15:00", FORMATS, False),
    ("15:10", "16:00", ("virtual",), False),
    ("16:10", "17:00", ("virtual",), False),
    ("17:10", "18:00", ("virtual",), False),
    ("18:10", "19:00", ("in_person", "hybrid"), True),
    ("19:10", "20:00", ("virtual",), False),
    ("20:10", "21:00", ("virtual",), False),
    ("21:10", "22:00", ("virtual",), False),
)


@dataclass(frozen=True)
class GeneratedMeeting:
    """A synthetic meeting: ``files`` (file name -> text of the meeting folder) and ``witness``.

    ``witness`` is a valid schedule.csv for it, the proof that the meeting is feasible.
    """

    files: dict[str, str]
    witness: str


def generate_meeting(events: int, seed: int) -> GeneratedMeeting:
    """A synthetic meeting of ``events`` side events, feasible by construction; the same seed gives the same bytes."""
    built = generate_construction(events, seed)
    return GeneratedMeeting(built.files, built.witness)


def generate_construction(events: int, seed: int) -> Construction:
    """Like ``generate_meeting`` but also returns the Problem and the witness Schedule as objects."""
    if not 1 <= events <= MAX_EVENTS:
        raise UsageError(f"the number of events must be between 1 and {MAX_EVENTS:,}, not {events}")
    rng = random.Random(seed)
    n_virtual = round(events * 0.2)
    n_physical = events - n_virtual
    two_virtual = round(n_virtual * 0.2)
    two_physical = round(n_physical * 0.12)
    days = _meeting_days(min(20, max(2, round(math.sqrt(events) / 2))))
    meeting = Meeting(
        id=f"gen-{events}-{seed}",
        name=f"Synthetic meeting with {events} side events (seed {seed})",
        timezone=VENUE_ZONE,
        days=days,
        uid_domain="generated.example.org",
        remote_hours=(time(7, 0), time(22, 0)),
    )
    specs = tuple(
        SlotSpec(time.fromisoformat(start), time.fromisoformat(end), frozenset(formats), days[:-1] if not_last else ())
        for start, end, formats, not_last in GRID
    )
    blocked = _blocked_periods(meeting)
    slots = build_slots(days, specs, meeting.tz)
    physical_cells = _open_cells(slots, blocked, PHYSICAL_FORMATS)
    virtual_cells = _open_cells(slots, blocked, ("virtual",))
    needed = math.ceil((n_physical + two_physical) / rng.uniform(0.78, 0.84))  # physical room-slots to offer
    n_rooms = max(2, math.ceil(needed / physical_cells))
    n_channels = max(2, math.ceil((n_virtual + two_virtual) / (0.55 * virtual_cells)))
    rooms = _rooms(rng, n_rooms, n_channels)
    closures = _room_closures(rng, meeting, rooms, slots, blocked, n_rooms * physical_cells - needed,
                              max(1, events // 150))
    pairs = n_rooms * _pair_days(slots, blocked, PHYSICAL_FORMATS) - sum(c.end - c.start > MORNING for c in closures)
    two_physical = min(two_physical, int(0.6 * pairs))
    blueprint = Blueprint(
        meeting=meeting,
        slot_specs=specs,
        rooms=rooms,
        zones=REMOTE_ZONES,
        blocked=blocked,
        room_closures=closures,
        header=(
            f"Synthetic meeting made by scheduler.generate (events={events}, seed={seed}); not a real programme.\n"
            "Feasible by construction: a hidden valid schedule exists (the generator's witness)."
        ),
        speaker_unavailable=max(1, events // 60),
        organizer_busy=max(1, events // 80),
    )
    seeds = _seeds(rng, events, n_virtual, two_virtual, two_physical)
    return construct(blueprint, seeds, rng, person_name=person_names(rng), organizer_name=organizer_names(rng))


def _meeting_days(count: int) -> tuple[date, ...]:
    """``count`` weekdays from FIRST_DAY on."""
    days: list[date] = []
    day = FIRST_DAY
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return tuple(days)


def _blocked_periods(meeting: Meeting) -> tuple[BlockedPeriod, ...]:
    """Opening morning, a plenary afternoon every fourth day from the third, and the closing afternoon."""
    tz, days = meeting.tz, meeting.days
    physical = frozenset({"in_person", "hybrid"})

    def period(day: date, start: str, end: str, reason: str, formats: frozenset[str]) -> BlockedPeriod:
        return BlockedPeriod(local(day, time.fromisoformat(start), tz), local(day, time.fromisoformat(end), tz),
                             reason, formats)

    result = [period(days[0], "08:00", "13:00", "Opening of the session", physical)]
    for day in days[2:-1:4]:
        result.append(period(day, "14:00", "18:00", "Thematic discussion in the plenary", physical))
    result.append(period(days[-1], "15:00", "18:00", "Closing plenary: no side events", frozenset(FORMATS)))
    return tuple(result)


def _open_cells(slots: Sequence[Slot], blocked: Sequence[BlockedPeriod], formats: Sequence[str]) -> int:
    """How many slots one room taking ``formats`` can use: the slot admits one and no blocked period stops it."""
    return sum(
        any(f in slot.formats and not any(f in b.formats and overlaps(slot.start, slot.end, b.start, b.end)
                                          for b in blocked) for f in formats)
        for slot in slots
    )


def _pair_days(slots: Sequence[Slot], blocked: Sequence[BlockedPeriod], formats: Sequence[str]) -> int:
    """Days on which the two lunch slots are both open to a physical format (room for a two-slot event)."""
    lunch = {time(13, 10), time(14, 10)}
    by_day: dict[date, int] = {}
    for slot in slots:
        if slot.start.time() in lunch and _open_cells([slot], blocked, formats):
            by_day[slot.day] = by_day.get(slot.day, 0) + 1
    return sum(1 for count in by_day.values() if count == 2)


def _rooms(rng: random.Random, n_rooms: int, n_channels: int) -> tuple[Room, ...]:
    """Physical rooms of mixed sizes (about 60 % hybrid, at least one of each kind) and online channels."""
    width = max(2, len(str(n_rooms)))
    hybrid = [rng.random() < 0.6 for _ in range(n_rooms)]
    hybrid[0], hybrid[-1] = True, n_rooms == 1
    per_building: dict[str, int] = {}
    rooms: list[Room] = []
    for i in range(n_rooms):
        building = BUILDINGS[i % len(BUILDINGS)]
        per_building[building] = per_building.get(building, 0) + 1
        rooms.append(Room(f"R{i + 1:0{width}d}", f"Conference Room {building}{per_building[building]}", "physical",
                          rng.choice(CAPACITIES), hybrid[i], building))
    rooms += [Room(f"V{k}", f"Online channel {k}", "virtual") for k in range(1, n_channels + 1)]
    return tuple(rooms)


def _room_closures(
    rng: random.Random,
    meeting: Meeting,
    rooms: Sequence[Room],
    slots: Sequence[Slot],
    blocked: Sequence[BlockedPeriod],
    excess: int,
    minimum: int,
) -> tuple[Unavailability, ...]:
    """Rooms closed for a day or a morning, taking about ``excess`` open room-slots away (at least ``minimum`` rows).

    This trims the rounding up of whole rooms, so small meetings are as tight as large ones.
    """
    physical = [room for room in rooms if not room.is_virtual]
    per_day: dict[date, int] = {day: 0 for day in meeting.days}
    morning_open: dict[date, bool] = {day: False for day in meeting.days}
    for slot in slots:
        if _open_cells([slot], blocked, PHYSICAL_FORMATS):
            per_day[slot.day] += 1
            if slot.start.time() == time(8, 10):
                morning_open[slot.day] = True
    pairs = [(room, day) for room in physical for day in meeting.days]
    rng.shuffle(pairs)
    rows: list[Unavailability] = []
    whole_days = 0
    for room, day in pairs:
        if excess <= 0 and len(rows) >= minimum:
            break
        if excess >= per_day[day] > 1 and whole_days < len(pairs) // 3:
            start, end, reason = time(7, 0), time(22, 0), rng.choice(ROOM_DAY_REASONS)
            excess -= per_day[day]
            whole_days += 1
        elif morning_open[day]:
            start, end, reason = time(7, 0), time(12, 0), rng.choice(ROOM_CLOSURE_REASONS)
            excess -= 1
        else:
            continue
        rows.append(Unavailability("room", room.id, local(day, start, meeting.tz), local(day, end, meeting.tz), reason))
    return tuple(sorted(rows, key=lambda u: (u.start, u.id)))


def _seeds(rng: random.Random, events: int, n_virtual: int, two_virtual: int, two_physical: int) -> list[EventSeed]:
    """The events' words and sizes: titles, topics, priorities, durations; virtual and two-slot ones mixed in."""
    width = max(4, len(str(events)))
    kinds = [(True, 2)] * two_virtual + [(True, 1)] * (n_virtual - two_virtual)
    kinds += [(False, 2)] * two_physical + [(False, 1)] * (events - n_virtual - two_physical)
    rng.shuffle(kinds)
    tags = [t for t, _, _ in TOPICS]
    weights = [w for _, _, w in TOPICS]
    phrases = {t: p for t, p, _ in TOPICS}
    seeds = []
    for n, (virtual, size) in enumerate(kinds, start=1):
        topics: list[str] = []
        for _ in range(rng.choice((1, 2, 2, 3))):
            tag = rng.choices(tags, weights)[0]
            if tag not in topics:
                topics.append(tag)
        main = phrases[topics[0]]
        title = f"{rng.choice(OPENERS)} {main}"
        if rng.random() < 0.6:
            title += f": {rng.choice(ANGLES)}"
        description = ""
        if rng.random() < 0.3:
            description = f"A panel on {main}, with practitioners from {rng.randint(2, 9)} countries."
            if rng.random() < 0.1:
                description += "\nInterpretation: English, French and Spanish."
        if size == 1:
            duration = rng.choices((None, 45, 30), (92, 6, 2))[0]
        else:
            duration = rng.choices((None, 90), (85, 15))[0]
        seeds.append(EventSeed(
            id=f"E{n:0{width}d}",
            title=title[0].upper() + title[1:],
            topics=tuple(topics),
            virtual=virtual,
            slots=size,
            duration=duration,
            description=description,
            visibility="private" if rng.random() < 0.03 else "public",
            priority=rng.choices((1, 2, 3, 4, 5), (5, 15, 55, 18, 7))[0],
        ))
    return seeds


def person_names(rng: random.Random, first: Sequence[str] = FIRST_NAMES, last: Sequence[str] = LAST_NAMES,
                 ) -> Callable[[], str]:
    """A source of unique, varied speaker names (some with Dr. or H.E., middle initials once combinations run low)."""
    used: set[str] = set()

    def next_name() -> str:
        for attempt in range(1000):
            name = f"{rng.choice(first)} {rng.choice(last)}"
            if attempt >= 10:
                name = f"{rng.choice(first)} {chr(65 + rng.randrange(26))}. {rng.choice(last)}"
            honorific = rng.random()
            if honorific < 0.08:
                name = f"Dr. {name}"
            elif honorific < 0.11:
                name = f"H.E. {name}"
            if name not in used:
                used.add(name)
                return name
        number = len(used) + 1
        name = f"{rng.choice(first)} {rng.choice(last)} ({number})"
        used.add(name)
        return name

    return next_name


def organizer_names(rng: random.Random) -> Callable[[], str]:
    """A source of unique organizer names: permanent missions, international bodies and NGOs."""
    missions = [f"Permanent Mission of {country}" for country in COUNTRIES]
    ngos = [f"{a} {n} {m}" for a in NGO_ADJECTIVES for n in NGO_NOUNS for m in NGO_AIMS]
    pools = [missions, ngos, list(INTERNATIONAL)]
    for pool in pools:
        rng.shuffle(pool)
    weights = (45, 40, 15)
    issued: list[str] = []

    def next_name() -> str:
        order = rng.choices(range(3), weights)[0]
        for pool in (pools[order], *pools):
            if pool:
                name = pool.pop()
                issued.append(name)
                return name
        name = f"{issued[len(issued) % 997]} – Chapter {len(issued) + 1}"
        issued.append(name)
        return name

    return next_name


__all__ = ["GeneratedMeeting", "generate_construction", "generate_meeting", "organizer_names", "person_names"]
