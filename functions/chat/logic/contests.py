"""Contest draws: a winner picked at random among the entrants, reproducibly.

The seed is drawn from the OS's CSPRNG and recorded in the `contest.drawn` event; anyone with the
entrant list can replay the draw: sort the viewer ids, `random.Random(seed).choice(...)`."""

import random
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

SEED_BITS = 63  # fits a DynamoDB number and a JSON integer exactly


@dataclass(frozen=True, slots=True)
class Draw:
    seed: int
    entrant_count: int
    winner_id: str | None


def new_seed() -> int:
    return secrets.randbits(SEED_BITS)


def draw(entrant_ids: Iterable[str], seed: int) -> Draw:
    entrants = sorted(set(entrant_ids))
    winner = random.Random(seed).choice(entrants) if entrants else None
    return Draw(seed=seed, entrant_count=len(entrants), winner_id=winner)
