"""The agents of the known-task workload: which BFCL questions each one answers.

BFCL's ``simple`` (Python) file is ordered by subject in contiguous blocks
(geometry, kinematics, genetics, statistics, finance, law, ...). Each agent
below owns the blocks of one subject (a few off-topic questions inside a block
are left out) and speaks with its own system prompt, in three versions, as a
deployed agent's prompt does over its releases. Index ranges refer to
``bfcl-eval==2026.3.23``; a test pins the first and last function of every
agent, so a reordered data release fails loudly instead of mixing subjects.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Agent:
    """One simulated agent: a subject, its prompts and its share of BFCL.

    Attributes:
        name: The true task of every call it makes (``Example.task``).
        subject: What it does, in a few words.
        prompts: System prompt versions; each call uses one of them.
        questions: Indices into BFCL's ``simple`` questions that it answers.
    """

    name: str
    subject: str
    prompts: tuple[str, ...]
    questions: tuple[int, ...]


def _blocks(*ranges: tuple[int, int]) -> tuple[int, ...]:
    return tuple(i for start, stop in ranges for i in range(start, stop + 1))


AGENTS: dict[str, Agent] = {
    agent.name: agent
    for agent in (
        Agent(
            "math-tutor",
            "geometry, algebra, calculus and number theory",
            (
                "You are a patient math tutor. Solve the student's geometry, algebra, calculus "
                "or number theory problem by calling the right calculation tool.",
                "Math assistant: compute areas, roots, derivatives, integrals and factors for "
                "students with the tools provided. Always use a tool; never guess a result.",
                "You help high-school students with mathematics. Use the calculator tools for "
                "every computation and explain nothing until the tool has answered.",
            ),
            _blocks((0, 24), (103, 105)),
        ),
        Agent(
            "physics-lab",
            "kinematics, electromagnetism and thermodynamics",
            (
                "You are a physics lab assistant. Answer questions on motion, fields, heat and "
                "light by calling the physics calculators with SI quantities.",
                "Physics helper for engineering students: kinematics, electrostatics, "
                "magnetism and thermodynamics. Call a tool for every numeric answer.",
                "You work in a university physics lab. Convert the question into a call to one "
                "of the physics formula tools; keep units explicit.",
            ),
            _blocks((25, 32), (38, 52), (100, 102)),
        ),
        Agent(
            "finance-analyst",
            "investments, stocks and corporate finance",
            (
                "You are a financial analyst assistant. Compute returns, interest, present "
                "values and fetch stock data with the finance tools.",
                "Finance desk bot: answer investment, dividend, stock price and growth-rate "
                "questions for clients by calling the appropriate finance function.",
                "You support portfolio managers. Use the market-data and investment "
                "calculators; report figures exactly as the tools return them.",
            ),
            _blocks((127, 155)),
        ),
        Agent(
            "legal-assistant",
            "court cases, lawsuits and criminal records",
            (
                "You are a legal research assistant. Look up court cases, lawsuits, dockets "
                "and criminal records with the legal database tools.",
                "Paralegal assistant: find case details, lawsuit status, contracts and nearby "
                "lawyers for the firm's attorneys using the case-law tools.",
                "You help a law firm with research. Query the litigation and case-record tools; "
                "cite docket numbers and jurisdictions precisely.",
            ),
            _blocks((156, 184)),
        ),
        Agent(
            "history-guide",
            "world, religious and scientific history",
            (
                "You are a history guide. Answer questions about rulers, wars, presidents, "
                "discoveries and religions by querying the history archives.",
                "Museum history docent bot: look up historical leaders, events, inventions and "
                "religious history with the archive tools before answering visitors.",
                "You are a historian's research aide. Use the history and science-history "
                "lookup tools for dates, people and events.",
            ),
            _blocks((230, 249), (251, 255)),
        ),
        Agent(
            "sports-desk",
            "player statistics, rankings and match results",
            (
                "You are a sports desk assistant. Fetch player statistics, team rankings, "
                "schedules and latest scores with the sports data tools.",
                "Sports journalist helper: look up batting averages, league standings, match "
                "schedules and athletes' records using the sports APIs.",
                "You answer fans' questions about teams and athletes. Call the sports "
                "statistics and ranking tools for every fact.",
            ),
            _blocks((302, 327)),
        ),
        Agent(
            "kitchen-assistant",
            "recipes, restaurants and groceries",
            (
                "You are a kitchen assistant. Find recipes, restaurants, cooking times and "
                "grocery items with the food tools.",
                "Cooking helper: search recipes by diet and calories, convert kitchen units, "
                "and order groceries for the user through the food and store tools.",
                "You plan meals for a household. Use the recipe search, restaurant finder and "
                "grocery ordering tools to answer.",
            ),
            _blocks((353, 375), (399, 399)),
        ),
        Agent(
            "travel-desk",
            "hotels, currencies, time zones and routes",
            (
                "You are a travel desk agent. Book hotels, convert currencies and time zones, "
                "and plan routes with the travel tools.",
                "Travel concierge bot: handle hotel bookings, exchange rates, directions and "
                "itineraries for travellers using the booking and map tools.",
                "You help business travellers. Use the hotel booking, currency exchange, "
                "time zone and routing tools to answer every request.",
            ),
            _blocks((33, 34), (36, 37), (376, 395), (397, 397)),
        ),
        Agent(
            "genetics-lab",
            "genes, proteins, evolution and ecology",
            (
                "You are a biology research assistant. Look up genes, proteins, mutations and "
                "evolution rates with the bioinformatics tools.",
                "Genetics lab helper: analyse DNA sequences, genotype frequencies, cell "
                "proteins and species evolution through the biology tools.",
                "You support a life-sciences lab. Query the genomics, cell-biology and ecology "
                "tools for every answer.",
            ),
            _blocks((53, 76)),
        ),
        Agent(
            "data-scientist",
            "statistics, probability and machine learning",
            (
                "You are a data science assistant. Run statistical tests, probability "
                "calculations and model training with the analytics tools.",
                "Statistics helper: t-tests, chi-squared tests, regressions, binomial "
                "probabilities and random forests, always through the provided tools.",
                "You help analysts with their data. Call the statistics and machine-learning "
                "tools; report test statistics exactly.",
            ),
            _blocks((106, 106), (108, 126)),
        ),
        Agent(
            "music-shop",
            "instruments, concerts and music theory",
            (
                "You are a music shop assistant. Find instruments, concert tickets, chord "
                "progressions and scales with the music tools.",
                "Music helper: search instruments by budget, book concerts and generate "
                "melodies or key signatures using the music APIs.",
                "You serve musicians. Use the instrument catalogue, concert booking and music "
                "theory tools for every request.",
            ),
            _blocks((278, 301)),
        ),
        Agent(
            "game-master",
            "board games, card games and video games",
            (
                "You are a game master assistant. Look up board games, card game odds, chess "
                "ratings and video game stats with the game tools.",
                "Gaming helper: decide poker and blackjack winners, shuffle decks and fetch "
                "video game scores and items through the game APIs.",
                "You answer gamers' questions. Use the board game, card game and video game "
                "database tools.",
            ),
            _blocks((328, 352)),
        ),
    )
}
"""Every agent the workload can simulate, by name."""

DEFAULT_AGENTS: tuple[str, ...] = (
    "math-tutor",
    "physics-lab",
    "finance-analyst",
    "legal-assistant",
    "history-guide",
    "sports-desk",
    "kitchen-assistant",
    "travel-desk",
)
"""Eight agents with neighbouring subjects (math and physics, kitchen and travel) on purpose."""
