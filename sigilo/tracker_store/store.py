"""``PrivacyTrackerStore``: Rasa's tracker store API over the privacy repository.

Every event is redacted (classes from the data inventory), encrypted and stored
under a pseudonym. Events loaded from the store carry their identity; ``save()``
writes only the events that carry none (appended in memory since), so rows deleted
during a turn are never written back, and an erasure marker
(``ActionExecuted(action_delete_data)`` then ``Restarted``) erases the conversation in
the same transaction as the first post-erasure events are written.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import sqlalchemy.exc
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SerializedTrackerAsText, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from sigilo.inventory import InventoryError, load_inventory
from sigilo.keys import KeyRing, MissingKeyError, pseudonym_key
from sigilo.log_filter import install as install_log_filter
from sigilo.pseudonym import short
from sigilo.tracker_store import TrackerStoreConfigError
from sigilo.tracker_store.db import SchemaError, check_schema, make_engine
from sigilo.tracker_store.hooks import StoredTurn, build_hooks, run_after_save
from sigilo.tracker_store.repository import ConversationUnreadable, Repository
from sigilo.tracker_store.sanitize import (
    SECRET_MARK,
    for_broker,
    is_secret_placeholder,
    sanitize_event,
)
from sigilo.tracker_store.secret_cache import SecretCache

logger = logging.getLogger(__name__)
TAG = "_sigilo_identity"
ERASURE_ACTION = "action_delete_data"
UNAVAILABLE_RESPONSE = "utter_try_again_later"
UNAVAILABLE_GENERATION = -1


class TrackerStoreUnavailable(RuntimeError):
    """The database cannot be reached; the conversation is not lost, retry later."""


def erasure_index(events: list[Event], erasure_action: str = ERASURE_ACTION) -> int | None:
    """Index of the ``Restarted`` that completes the last erasure in ``events``, if any."""
    found, erasing = None, False
    for index, event in enumerate(events):
        if isinstance(event, ActionExecuted) and event.action_name == erasure_action:
            erasing = True
        elif isinstance(event, Restarted) and erasing:
            found, erasing = index, False
    return found


def _answers_to_secret_questions(events: list[Event], secret_slots: frozenset[str]) -> set[int]:
    """Ids of the user messages typed while a form was asking for a secret slot."""
    requested, answering = None, set()
    for event in events:
        if isinstance(event, SlotSet) and event.key == "requested_slot":
            requested = event.value
        elif isinstance(event, UserUttered) and requested in secret_slots:
            answering.add(id(event))
    return answering


class _UnavailableTracker(DialogueStateTracker):
    """A stand-in while the database is away: answers every message with one response.

    Each user message makes ``response`` the next action, then ``action_listen``.
    """

    response = UNAVAILABLE_RESPONSE

    def update(self, event: Event, domain: Domain | None = None) -> None:
        """Applies the event, then forces the next action."""
        super().update(event, domain)
        if isinstance(event, UserUttered):
            self.trigger_followup_action(self.response)
        elif isinstance(event, ActionExecuted) and event.action_name == self.response:
            self.trigger_followup_action("action_listen")


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() not in ("0", "false", "no", "off")


class PrivacyTrackerStore(TrackerStore, SerializedTrackerAsText):
    """Redacting, encrypting, erasure-aware SQL tracker store (SQLite or PostgreSQL)."""

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        url: str | None = None,
        privacy_mode: Any = True,
        inventory: str | None = None,
        erasure_action: str = ERASURE_ACTION,
        secret_ttl_seconds: float = 900.0,
        unavailable_response: str = UNAVAILABLE_RESPONSE,
        **kwargs: Any,
    ) -> None:
        """Connects, checks the schema and the keys; fails loudly when anything is off."""
        try:
            ring = KeyRing.from_env()
            self.inventory = load_inventory(inventory)
            engine = make_engine(url or host)
            check_schema(engine)
        except (MissingKeyError, InventoryError, SchemaError) as exc:
            raise TrackerStoreConfigError(f"privacy tracker store: {exc}") from None
        except (ImportError, AttributeError, sqlalchemy.exc.ArgumentError) as exc:
            # Rasa turns ImportError/AttributeError into a silent in-memory fallback
            raise TrackerStoreConfigError(f"privacy tracker store: {exc!r}") from None
        self.hooks = build_hooks({**kwargs, "inventory": self.inventory})
        self.repository = Repository(engine, ring, pseudonym_key(), self.hooks)
        self.privacy_mode = _truthy(privacy_mode)
        self.erasure_action = erasure_action
        self.unavailable_response = unavailable_response
        self.secrets = SecretCache(float(secret_ttl_seconds))
        install_log_filter()
        super().__init__(domain, event_broker, **kwargs)
        logger.info(
            "Sigilo privacy tracker store on %s (privacy mode %s)",
            engine.url.get_backend_name(),
            "on" if self.privacy_mode else "off",
        )

    # --- reading -----------------------------------------------------------------------

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The tracker of the latest session.

        When the database is unreachable, a stand-in tracker whose next action is the
        "try again later" response, so the consumer is told instead of the bot
        starting over; it is never written (its events carry a generation no stored
        conversation has) and the next turn reads the database again.
        """
        try:
            return self._retrieve(sender_id, all_sessions=False)
        except TrackerStoreUnavailable as exc:
            if self.unavailable_response not in self.domain.action_names_or_texts:
                raise
            pseudonym = short(self.repository.pseudonym(sender_id))
            logger.error("conversation %s: %s; answering 'try again later'", pseudonym, exc)
            return self._unavailable_tracker(sender_id)
        except ConversationUnreadable:
            # Rasa's FailSafeTrackerStore would turn the error into "no conversation":
            # the bot would start over and the save of that fresh tracker would be
            # matched by position against the unreadable rows. The stand-in answers
            # "try again later" and is never written; the error is logged (pseudonym).
            if self.unavailable_response not in self.domain.action_names_or_texts:
                raise
            return self._unavailable_tracker(sender_id)

    def _unavailable_tracker(self, sender_id: str) -> DialogueStateTracker:
        events = [
            ActionExecuted("action_session_start"),
            SessionStarted(),
            ActionExecuted("action_listen"),
        ]
        for event in events:
            setattr(event, TAG, (UNAVAILABLE_GENERATION, -1))
        tracker = _UnavailableTracker.from_events(sender_id, events, self.domain.slots)
        tracker.response = self.unavailable_response
        return tracker

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        """The tracker with every stored session."""
        return self._retrieve(conversation_id, all_sessions=True)

    async def keys(self) -> Iterable[str]:
        """Real sender ids (decrypted)."""
        try:
            return self.repository.keys()
        except sqlalchemy.exc.DBAPIError as exc:
            raise TrackerStoreUnavailable(
                f"tracker store unavailable: {type(exc).__name__}"
            ) from None

    def _retrieve(self, sender_id: str, all_sessions: bool) -> DialogueStateTracker | None:
        try:
            loaded = self.repository.load(sender_id, all_sessions=all_sessions)
        except sqlalchemy.exc.DBAPIError as exc:
            raise TrackerStoreUnavailable(
                f"tracker store unavailable: {type(exc).__name__}"
            ) from None
        except ConversationUnreadable as exc:
            logger.error("%s", exc)
            raise
        if loaded is None:
            return None
        generation, stored = loaded
        pseudonym = self.repository.pseudonym(sender_id)
        events: list[Event] = []
        for item in stored:
            data = item.data
            if is_secret_placeholder(data):
                data = {k: v for k, v in data.items() if k != SECRET_MARK}
                data["value"] = self.secrets.get((pseudonym, generation, item.seq))
            event = Event.from_parameters(data)
            if event is None:
                continue
            setattr(event, TAG, (generation, item.seq))
            events.append(event)
        return DialogueStateTracker.from_events(
            sender_id, events, self.domain.slots, self.max_event_history
        )

    # --- writing -----------------------------------------------------------------------

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Stores the events appended since the tracker was loaded (identity-based).

        Never raises: when a save raises, Rasa's ``FailSafeTrackerStore`` saves the
        turn to an ``InMemoryTrackerStore`` sharing the event broker, which streams it
        raw (real sender id, user text, card numbers). A turn that cannot be stored
        (database gone, a hook refusing it) is logged with the pseudonym instead.
        """
        try:
            await self._save(tracker)
        except Exception as exc:  # any cause: see above (the type names it)
            logger.error(
                "conversation %s: this turn was not stored (%s)",
                short(self.repository.pseudonym(tracker.sender_id)),
                type(exc).__name__,
            )

    async def _save(self, tracker: DialogueStateTracker) -> None:
        events = list(tracker.events)
        last_tagged, generation = -1, None
        for index, event in enumerate(events):
            tag = getattr(event, TAG, None)
            if tag is not None:
                last_tagged, generation = index, tag[0]
        new = events[last_tagged + 1 :]
        if not new:
            return
        if generation == UNAVAILABLE_GENERATION:
            # not raised: Rasa's FailSafeTrackerStore would save the turn to an
            # InMemoryTrackerStore sharing the event broker, which streams it raw
            logger.warning(
                "conversation %s: not stored (the store was unavailable when the turn began)",
                short(self.repository.pseudonym(tracker.sender_id)),
            )
            return
        marker = erasure_index(new, self.erasure_action)
        erase = marker is not None
        to_store = new[marker:] if erase else new
        originals = [event.as_dict() for event in to_store]
        secret = self.inventory.secret_slots
        answering = _answers_to_secret_questions(events, secret)
        values = [
            str(e.value)
            for e in new
            if isinstance(e, SlotSet) and e.key in secret and e.value is not None
        ]
        clean = [
            sanitize_event(
                data,
                secret,
                self.inventory.personal_slots,
                self.privacy_mode,
                answers_secret=id(event) in answering,
                secret_values=values,
            )
            for event, data in zip(to_store, originals, strict=True)
        ]
        try:
            result = self.repository.append(
                tracker.sender_id, clean, erase=erase, expected_generation=generation
            )
        except sqlalchemy.exc.DBAPIError as exc:
            # logged, not raised: see the stand-in case above (raw events to the broker)
            logger.error(
                "conversation %s: tracker store unavailable (%s), this turn was not stored",
                short(self.repository.pseudonym(tracker.sender_id)),
                type(exc).__name__,
            )
            return
        pseudonym = result.pseudonym
        if result.stale:
            logger.warning(
                "conversation %s was erased while this turn ran: %d event(s) from before "
                "the erasure were not written",
                short(pseudonym),
                len(new),
            )
            return
        if erase:
            self.secrets.forget(pseudonym)
            logger.info("conversation %s erased", short(pseudonym))
        for event in to_store[: result.skipped]:
            setattr(event, TAG, (result.generation, -1))
        written = list(
            zip(to_store[result.skipped :], originals[result.skipped :], result.seqs, strict=True)
        )
        for event, original, seq in written:
            setattr(event, TAG, (result.generation, seq))
            if original.get("event") == "slot" and original.get("name") in (
                self.inventory.secret_slots
            ):
                if original.get("value") is None:
                    self.secrets.forget(pseudonym, original["name"])
                else:
                    key = (pseudonym, result.generation, seq)
                    self.secrets.put(key, original["name"], original["value"])
        self._publish(pseudonym, clean[result.skipped :], tracker)
        if not (erase or written):
            return  # every event was already stored (skipped by position): no turn
        turn = StoredTurn(pseudonym, result.generation, clean[result.skipped :], erase)
        run_after_save(self.hooks, tracker, new if erase else to_store[result.skipped :], turn)

    def _publish(
        self, pseudonym: str, events: list[dict[str, Any]], tracker: DialogueStateTracker
    ) -> None:
        """Streams the redacted events to the broker, under the pseudonym."""
        if self.event_broker is None:
            return
        personal = self.inventory.personal_slots
        values = [tracker.get_slot(name) for name in personal if name in tracker.slots]
        for data in events:
            body = {"sender_id": pseudonym}
            body.update(for_broker(data, personal, values))
            self.event_broker.publish(body)

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """Unused: :meth:`save` publishes exactly what it stored, redacted."""
        return None
