"""The state-machine helper: one table per model says which action applies to which state,
where it leads and who may take it."""

from types import SimpleNamespace

import pytest

from common.states import Transition, TransitionError, Transitions


class Refused(Exception):
    def __init__(self, obj, transition):
        super().__init__(f"no {transition.verb} from {obj.status}")


class Person:
    def __init__(self, *perms):
        self.perms = set(perms)

    def has_perm(self, perm):
        return perm in self.perms


DOOR = Transitions(
    Transition("open", {"closed"}, "open"),
    Transition("close", {"open"}, "closed"),
    Transition("lock", {"closed"}, "locked", permission="house.lock_door", verb="lock up"),
    Transition("unlock", {"locked"}, "closed", permission="house.lock_door"),
    error=Refused,
)


def door(status):
    return SimpleNamespace(status=status)


def test_the_actions_a_state_allows_come_in_the_table_order():
    assert DOOR.allowed("closed") == ["open", "lock"]
    assert DOOR.allowed(door("open")) == ["close"]
    assert DOOR.allowed("locked") == ["unlock"]


def test_an_actor_is_offered_only_what_their_permissions_allow():
    assert DOOR.allowed("closed", actor=Person()) == ["open"]
    assert DOOR.allowed("closed", actor=Person("house.lock_door")) == ["open", "lock"]
    assert not DOOR.can("locked", "unlock", actor=Person())
    assert DOOR.permits(Person("house.lock_door"), "unlock")
    assert not DOOR.permits(None, "unlock")
    assert DOOR.permits(None, "open")


def test_among_narrows_to_the_actions_a_caller_offers():
    assert DOOR.allowed("closed", among={"lock", "unlock"}) == ["lock"]
    assert DOOR.from_states({"closed", "open"}, among={"close", "unlock"}) == ["close"]
    assert DOOR.from_states({"closed", "locked"}) == ["open", "lock", "unlock"]


def test_check_raises_the_model_error_and_returns_the_transition():
    assert DOOR.check(door("closed"), "lock").target == "locked"
    with pytest.raises(Refused, match="no lock up from open"):
        DOOR.check(door("open"), "lock")


def test_done_says_the_record_already_is_where_the_action_leads():
    assert DOOR.done(door("locked"), "lock")
    assert not DOOR.done(door("closed"), "lock")
    assert DOOR.target("unlock") == "closed"
    assert DOOR.sources("open") == frozenset({"closed"})


def test_the_default_error_names_the_action_and_the_state():
    table = Transitions(Transition("send_now", {"draft"}, "sending"))
    with pytest.raises(TransitionError, match="Cannot send now a record that is sent"):
        table.check(door("sent"), "send_now")


def test_an_unknown_action_or_a_repeated_name_is_a_programming_error():
    with pytest.raises(KeyError, match="No action 'fly'"):
        DOOR.check(door("closed"), "fly")
    with pytest.raises(ValueError, match="same name"):
        Transitions(Transition("a", {"x"}, "y"), Transition("a", {"y"}, "x"))


def test_another_field_can_hold_the_state():
    table = Transitions(Transition("ship", {"paid"}, "shipped"), field="stage")
    assert table.allowed(SimpleNamespace(stage="paid")) == ["ship"]
