"""Which actions a record's state allows: one table per model, read by its services (the
guard), by the admin (the buttons it offers, `has_<action>_permission`) and by pages
(`can_withdraw` and the like), so that none of them keeps a list of its own.

    Application.transitions = Transitions(
        Transition("approve", {SUBMITTED, UNDER_REVIEW}, APPROVED,
                   permission="members.change_application", verb=_("approve")),
        ...,
        error=TransitionNotAllowed,
    )

A service locks the row, returns early when `done()` (the row is already where the
action leads: a double click or a retried task is harmless) and calls `check()`, which
raises the model's own exception; the service then writes the new state itself, with
its audit record, in its own transaction.

Why a helper of our own rather than django-fsm-2 (which installs from the package index):
django-fsm-2 makes each transition a model method that changes the instance in memory,
with its side effects, for the caller to save; its concurrency guard is optimistic (the
old state in the UPDATE) and its FSMField would change the models' migration state. Our
actions are keyword-only services that lock the row with SELECT … FOR UPDATE, record the
step and queue e-mail on commit, so all they need from a library is the table and its
questions: what follows.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

State = str


@dataclass(frozen=True)
class Transition:
    """One action: the states it may start from, the state it leads to, and the Django
    permission ("app_label.codename") an actor needs for it. No permission means the
    caller decides who may act (an applicant on their own application, the system)."""

    name: str
    sources: frozenset[State]
    target: State
    permission: str | None = None
    # How error messages name the action ("Cannot <verb> an application that is …").
    verb: Any = None

    def __post_init__(self):
        object.__setattr__(self, "sources", frozenset(self.sources))
        if self.verb is None:
            object.__setattr__(self, "verb", self.name.replace("_", " "))


class TransitionError(Exception):
    """The action does not apply to the record in its current state."""

    def __init__(self, obj: Any, transition: Transition):
        self.obj = obj
        self.transition = transition
        super().__init__(f"Cannot {transition.verb} a record that is {transition_state(obj)}.")


def transition_state(obj_or_state: Any, field: str = "status") -> State:
    if isinstance(obj_or_state, str):
        return obj_or_state
    return getattr(obj_or_state, field)


class Transitions:
    """The table of one model's actions, in the order people see them."""

    def __init__(
        self,
        *transitions: Transition,
        field: str = "status",
        error: Callable[[Any, Transition], Exception] = TransitionError,
    ):
        self.by_name = {transition.name: transition for transition in transitions}
        if len(self.by_name) != len(transitions):
            raise ValueError("Two transitions have the same name.")
        self.field = field
        self.error = error

    def __getitem__(self, action: str) -> Transition:
        try:
            return self.by_name[action]
        except KeyError:
            raise KeyError(f"No action {action!r}; the table has {sorted(self.by_name)}") from None

    def __iter__(self):
        return iter(self.by_name.values())

    def state(self, obj_or_state: Any) -> State:
        return transition_state(obj_or_state, self.field)

    def target(self, action: str) -> State:
        return self[action].target

    def sources(self, action: str) -> frozenset[State]:
        return self[action].sources

    def permits(self, actor: Any, action: str) -> bool:
        """Whether actor holds the permission the action needs (whatever the state)."""
        permission = self[action].permission
        if permission is None:
            return True
        return bool(actor is not None and actor.has_perm(permission))

    def can(self, obj_or_state: Any, action: str, actor: Any = None) -> bool:
        """Whether the action applies to this state and, given an actor, whether they
        may take it."""
        if self.state(obj_or_state) not in self[action].sources:
            return False
        return actor is None or self.permits(actor, action)

    def allowed(
        self, obj_or_state: Any, actor: Any = None, among: Iterable[str] | None = None
    ) -> list[str]:
        """The actions this state allows (to actor, if given), in the table's order;
        `among` narrows them to those a caller offers (an admin's own actions)."""
        names = self.by_name if among is None else [name for name in self.by_name if name in among]
        return [name for name in names if self.can(obj_or_state, name, actor)]

    def from_states(self, states: Iterable[State], among: Iterable[str] | None = None):
        """The actions that apply to at least one of these states (a filtered list)."""
        states = set(states)
        names = self.by_name if among is None else [name for name in self.by_name if name in among]
        return [name for name in names if self.by_name[name].sources & states]

    def done(self, obj_or_state: Any, action: str) -> bool:
        """Whether the record already is where the action leads: a retry to ignore."""
        return self.state(obj_or_state) == self[action].target

    def check(self, obj: Any, action: str) -> Transition:
        """The transition, or the model's error when its state does not allow it."""
        transition = self[action]
        if self.state(obj) not in transition.sources:
            raise self.error(obj, transition)
        return transition
