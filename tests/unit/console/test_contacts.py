"""Contacts across channels: merge, split, rename, notes, ingest after a merge, suggestions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from console import errors, services
from console.channels.base import FetchResult, InboundMessage
from console.contacts import (
    duplicates_of,
    format_phone,
    normalise_phone,
    phone_numbers,
    suggest_duplicates,
)
from console.domain import Role
from console.ingest import ingest
from console.services import Actor
from console.store.contact_queries import (
    contact_card,
    contact_conversations,
    contact_of,
    contact_panel,
    find_contacts,
)
from console.store.engine import Store
from console.store.models import AuditEvent, Contact, PendingOp
from console.store.queries import conversation_row
from tests.helpers.factory import add_account, add_conversation, add_operator, now_ms


class Two:
    """One person who wrote on KakaoTalk and on Instagram: two contacts until merged."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.kakao = add_account(store, "kakaotalk", "카카오 채널")
        self.insta = add_account(store, "instagram", "@clinic")
        self.k1 = add_conversation(
            store, self.kakao, [("in", "쌍수 상담 원해요")], "김민지", "kakao-minji", 50
        )
        self.i1 = add_conversation(
            store, self.insta, [("in", "스케일링 예약돼요?")], "minji.k", "ig-minji", 30
        )
        self.kakao_contact = contact_of(store, self.k1)
        self.insta_contact = contact_of(store, self.i1)
        assert self.kakao_contact and self.insta_contact
        self.admin = Actor(add_operator(store, "박원장", Role.ADMIN))
        self.desk = Actor(add_operator(store, "김접수", Role.FRONT_DESK))


@pytest.fixture
def two(store: Store) -> Two:
    return Two(store)


def _identity(store: Store, contact_id: str, channel: str) -> str:
    card = contact_card(store, contact_id)
    assert card is not None
    return next(i.id for i in card.identities if i.channel == channel)


def test_merge_moves_identities_and_conversations(two: Two) -> None:
    s = two.store
    changes = services.merge_contacts(s, two.admin, two.kakao_contact, two.insta_contact)
    assert {two.k1, two.i1} <= changes.conversations
    assert two.insta_contact in changes.contacts
    card = contact_card(s, two.kakao_contact)
    assert card is not None and card.name == "김민지"
    assert [(i.channel, i.handle) for i in card.identities] == [
        ("instagram", "ig-minji"),
        ("kakaotalk", "kakao-minji"),
    ]
    convs = contact_conversations(s, two.kakao_contact)
    assert [c.id for c in convs] == [two.i1, two.k1]  # newest first, both channels
    assert conversation_row(s, two.i1).contact_name == "김민지"  # type: ignore[union-attr]
    # The other contact is kept and points at the survivor; lookups follow it.
    with s.read() as db:
        gone = db.get(Contact, two.insta_contact)
        assert gone is not None and gone.merged_into == two.kakao_contact
        assert gone.merged_hlc
        audit = db.scalars(select(AuditEvent).where(AuditEvent.action == "merge_contacts")).one()
        ops = db.scalars(select(PendingOp).where(PendingOp.hlc == gone.merged_hlc)).all()
    assert audit.detail["other"] == two.insta_contact
    assert {(o.tbl, o.field) for o in ops} == {
        ("contact", "merged_into"),
        ("contact_identity", "contact_id"),
        ("conversation", "contact_id"),
    }
    assert contact_card(s, two.insta_contact).id == two.kakao_contact  # type: ignore[union-attr]
    assert [m.id for m in find_contacts(s, "minji")] == [two.kakao_contact]


def test_the_panel_read_is_the_card_and_the_conversations(two: Two) -> None:
    s = two.store
    services.merge_contacts(s, two.admin, two.kakao_contact, two.insta_contact)
    for conversation in (two.k1, two.i1):
        data = contact_panel(s, conversation)
        assert data is not None
        assert data.card == contact_card(s, two.kakao_contact)
        assert list(data.conversations) == contact_conversations(s, two.kakao_contact)
        assert contact_panel(s, conversation, limit=1).card == data.card  # type: ignore[union-attr]
    # A conversation still naming the merged contact (as sync may bring) reads the survivor.
    with s.write() as db:
        from console.store.models import Conversation

        db.get(Conversation, two.i1).contact_id = two.insta_contact  # type: ignore[union-attr]
    assert contact_panel(s, two.i1).card.id == two.kakao_contact  # type: ignore[union-attr]
    assert contact_panel(s, "missing") is None


def test_merging_keeps_both_contacts_notes(two: Two) -> None:
    s = two.store
    services.set_contact_notes(s, two.desk, two.kakao_contact, "토요일 오전만 가능")
    services.set_contact_notes(s, two.desk, two.insta_contact, "치과 재방문")
    services.merge_contacts(s, two.admin, two.kakao_contact, two.insta_contact)
    card = contact_card(s, two.kakao_contact)
    assert card is not None and card.notes == "토요일 오전만 가능\n\n치과 재방문"


def test_a_contact_cannot_be_merged_with_itself_or_through_its_chain(two: Two) -> None:
    s = two.store
    with pytest.raises(errors.CannotMergeContact):
        services.merge_contacts(s, two.admin, two.kakao_contact, two.kakao_contact)
    services.merge_contacts(s, two.admin, two.kakao_contact, two.insta_contact)
    with pytest.raises(errors.CannotMergeContact):
        services.merge_contacts(s, two.admin, two.insta_contact, two.kakao_contact)
    with pytest.raises(errors.ContactNotFound):
        services.merge_contacts(s, two.admin, two.kakao_contact, "no-such-contact")


def test_split_restores_the_contact_it_came_from(two: Two) -> None:
    s = two.store
    services.set_contact_notes(s, two.desk, two.insta_contact, "인스타 DM 선호")
    services.merge_contacts(s, two.admin, two.kakao_contact, two.insta_contact)
    identity = _identity(s, two.kakao_contact, "instagram")
    changes = services.split_identity(s, two.admin, two.kakao_contact, identity)
    assert changes.conversations == frozenset({two.i1})
    assert contact_of(s, two.i1) == two.insta_contact
    back = contact_card(s, two.insta_contact)
    assert back is not None and back.name == "minji.k" and "인스타 DM 선호" in back.notes
    assert [i.handle for i in back.identities] == ["ig-minji"]
    assert [c.id for c in contact_conversations(s, two.kakao_contact)] == [two.k1]
    assert conversation_row(s, two.i1).contact_name == "minji.k"  # type: ignore[union-attr]


def test_split_moves_only_the_conversations_of_its_identity(store: Store) -> None:
    """Two e-mail addresses of one person on the same mailbox: merged, then one split off
    again; each conversation goes with its own identity."""
    mail = add_account(store, "email", "info@clinic")
    admin = Actor(add_operator(store, "박원장", Role.ADMIN))
    a = add_conversation(store, mail, [("in", "문의")], "이서연", "a@example.com", 40)
    b = add_conversation(store, mail, [("in", "재문의")], "Seo Lee", "b@example.com", 20)
    keep, other = contact_of(store, a), contact_of(store, b)
    assert keep and other
    services.merge_contacts(store, admin, keep, other)
    services.rename_contact(store, admin, other, "이서연 (메일 2개)")  # follows the chain
    assert contact_card(store, keep).name == "이서연 (메일 2개)"  # type: ignore[union-attr]
    card = contact_card(store, keep)
    assert card is not None and [i.conversations for i in card.identities] == [1, 1]
    b_identity = next(i.id for i in card.identities if i.handle == "b@example.com")
    services.split_identity(store, admin, keep, b_identity)
    assert contact_of(store, a) == keep
    assert contact_of(store, b) == other
    assert contact_card(store, other).name == "Seo Lee"  # type: ignore[union-attr]


def test_split_refuses_the_last_identity_and_strangers(two: Two) -> None:
    s = two.store
    only = _identity(s, two.kakao_contact, "kakaotalk")
    with pytest.raises(errors.LastIdentity):
        services.split_identity(s, two.admin, two.kakao_contact, only)
    stranger = _identity(s, two.insta_contact, "instagram")
    with pytest.raises(errors.IdentityNotFound):
        services.split_identity(s, two.admin, two.kakao_contact, stranger)


def test_split_of_an_identity_ingest_made_on_the_survivor_names_a_new_contact(two: Two) -> None:
    s = two.store
    services.merge_contacts(s, two.admin, two.kakao_contact, two.insta_contact)
    # The survivor's own KakaoTalk identity is split off: no merged origin, so a new contact,
    # named as the customer signed on KakaoTalk (these messages carry no author: the handle).
    kakao_identity = _identity(s, two.kakao_contact, "kakaotalk")
    services.split_identity(s, two.admin, two.kakao_contact, kakao_identity)
    new = contact_of(s, two.k1)
    assert new not in (two.kakao_contact, two.insta_contact)
    assert contact_card(s, new).name == "kakao-minji"  # type: ignore[arg-type, union-attr]
    assert [c.id for c in contact_conversations(s, two.kakao_contact)] == [two.i1]


def test_ingest_after_a_merge_lands_on_the_surviving_contact(two: Two) -> None:
    s = two.store
    services.merge_contacts(s, two.admin, two.kakao_contact, two.insta_contact)
    message = InboundMessage(
        "ig-new-1", "thread-ig-new", "ig-minji", "minji.k", "in", "새 문의입니다", now_ms()
    )
    changes = ingest(s, two.insta, FetchResult([message], "c-new"))
    (new_conv,) = changes.conversations
    assert new_conv != two.i1
    assert contact_of(s, new_conv) == two.kakao_contact
    assert conversation_row(s, new_conv).contact_name == "김민지"  # type: ignore[union-attr]
    assert contact_conversations(s, two.kakao_contact)[0].id == new_conv


def test_ingest_follows_a_merge_chain_when_an_identity_still_names_the_old_contact(
    two: Two,
) -> None:
    """Sync can bring an identity that still names a merged contact."""
    s = two.store
    services.merge_contacts(s, two.admin, two.kakao_contact, two.insta_contact)
    from console.store.models import ContactIdentity

    with s.write() as db:
        for identity in db.scalars(
            select(ContactIdentity).where(ContactIdentity.handle == "ig-minji")
        ):
            identity.contact_id = two.insta_contact
    message = InboundMessage("ig-new-2", "thread-ig-2", "ig-minji", "minji.k", "in", "또", now_ms())
    (new_conv,) = ingest(s, two.insta, FetchResult([message], "c2")).conversations
    with s.read() as db:
        from console.store.models import Conversation

        assert db.get(Conversation, new_conv).contact_id == two.kakao_contact  # type: ignore[union-attr]


def test_front_desk_may_rename_but_not_merge_or_split(two: Two) -> None:
    s = two.store
    with pytest.raises(errors.NotPermitted) as caught:
        services.merge_contacts(s, two.desk, two.kakao_contact, two.insta_contact)
    assert caught.value.params == {"permission": "manage_contacts", "role": "front_desk"}
    assert contact_of(s, two.i1) == two.insta_contact  # nothing moved
    services.merge_contacts(s, two.admin, two.kakao_contact, two.insta_contact)
    identity = _identity(s, two.kakao_contact, "instagram")
    with pytest.raises(errors.NotPermitted):
        services.split_identity(s, two.desk, two.kakao_contact, identity)
    changes = services.rename_contact(s, two.desk, two.kakao_contact, "  김민지  (쌍수) ")
    assert two.k1 in changes.conversations
    assert contact_card(s, two.kakao_contact).name == "김민지 (쌍수)"  # type: ignore[union-attr]
    coordinator = Actor(add_operator(s, "최실장", Role.COORDINATOR))
    services.split_identity(s, coordinator, two.kakao_contact, identity)


def test_names_and_notes_are_checked(two: Two) -> None:
    s = two.store
    with pytest.raises(errors.InvalidContactName):
        services.rename_contact(s, two.desk, two.kakao_contact, "   ")
    with pytest.raises(errors.InvalidContactName):
        services.rename_contact(s, two.desk, two.kakao_contact, "가" * 201)
    with pytest.raises(errors.ContactNotesTooLong):
        services.set_contact_notes(s, two.desk, two.kakao_contact, "x" * 4001)
    assert not services.set_contact_notes(s, two.desk, two.kakao_contact, "")  # unchanged
    with s.read() as db:
        assert not db.scalars(select(AuditEvent).where(AuditEvent.action.like("%contact%"))).all()


# --- suggestions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["010-1234-5678", "01012345678", "+82 10-1234-5678", "+82 (0)10 1234 5678", "010.1234.5678"],
)
def test_phone_numbers_are_normalised(text: str) -> None:
    assert normalise_phone(text) == "01012345678"
    assert phone_numbers(f"연락처는 {text} 입니다") == {"01012345678"}


def test_numbers_are_shown_as_people_write_them() -> None:
    assert format_phone("01012345678") == "010-1234-5678"
    assert format_phone("0111234567") == "011-123-4567"
    assert format_phone("021234567") == "02-123-4567"


def test_dates_and_order_numbers_are_not_phone_numbers() -> None:
    assert phone_numbers("2026-11-26 예약, 주문번호 12010123456789, 1234-5678") == set()
    assert phone_numbers("서울 02-123-4567") == {"021234567"}


def test_the_same_phone_number_in_a_handle_and_in_a_message_is_suggested(store: Store) -> None:
    sms = add_account(store, "sms", "문자")
    kakao = add_account(store, "kakaotalk", "카카오")
    web = add_account(store, "webform", "홈페이지")
    a = add_conversation(store, sms, [("in", "예약 확인 부탁드려요")], "01012345678", "01012345678")
    b = add_conversation(
        store, kakao, [("in", "제 번호는 010-1234-5678 이에요")], "민지", "kakao-1", 5
    )
    c = add_conversation(store, web, [("in", "연락처 +82 10-1234-5678")], "김민지", "form-1", 3)
    add_conversation(store, kakao, [("in", "010-9999-0000으로 연락주세요")], "다른분", "kakao-2")
    ids = {contact_of(store, x) for x in (a, b, c)}
    suggestions = suggest_duplicates(store)
    phone = [g for g in suggestions if g.reason == "phone"]
    assert len(phone) == 1
    assert set(phone[0].contact_ids) == ids and phone[0].value == "01012345678"
    # Only for one contact; and once merged, the group is gone.
    assert suggest_duplicates(store, contact_of(store, b)) == phone
    for x in (a, b, c):
        mine = contact_of(store, x)
        assert mine
        found = duplicates_of(store, mine)
        assert {g.contact_ids[1] for g in found} == ids - {mine}
        assert {(g.reason, g.value) for g in found} == {("phone", "01012345678")}
    admin = Actor(add_operator(store, "박원장", Role.ADMIN))
    first, *rest = phone[0].contact_ids
    for other in rest:
        services.merge_contacts(store, admin, first, other)
    assert [g for g in suggest_duplicates(store) if g.reason == "phone"] == []


def test_the_same_e_mail_and_the_same_name_across_channels_are_suggested(store: Store) -> None:
    mail = add_account(store, "email", "메일")
    insta = add_account(store, "instagram", "인스타")
    kakao = add_account(store, "kakaotalk", "카카오")
    a = add_conversation(store, mail, [("in", "문의")], "Lee", "Seo.Lee@Example.com")
    b = add_conversation(store, insta, [("in", "메일은 seo.lee@example.com")], "seo", "ig-seo")
    c = add_conversation(store, kakao, [("in", "안녕하세요")], "박 지 훈", "k-park")
    d = add_conversation(store, insta, [("in", "안녕하세요")], "박지훈", "ig-park")
    add_conversation(store, kakao, [("in", "문의")], "고객", "k-x1")
    add_conversation(store, kakao, [("in", "문의")], "고객", "k-x2")  # same channel: not proposed
    groups = {(g.reason, frozenset(g.contact_ids)) for g in suggest_duplicates(store)}
    assert groups == {
        ("email", frozenset({contact_of(store, a), contact_of(store, b)})),
        ("name", frozenset({contact_of(store, c), contact_of(store, d)})),
    }
    one = contact_of(store, c)
    assert one
    assert [(g.reason, g.contact_ids) for g in duplicates_of(store, one)] == [
        ("name", (one, contact_of(store, d)))
    ]
    mail = contact_of(store, a)
    assert mail
    assert [(g.reason, g.value) for g in duplicates_of(store, mail)] == [
        ("email", "seo.lee@example.com")
    ]
    lone = contact_of(store, add_conversation(store, kakao, [("in", "예약")], "고객", "k-x3"))
    assert lone and duplicates_of(store, lone) == []  # "고객" only on KakaoTalk


def _reference_suggestions(store: Store, message_scan: int) -> set[tuple[str, frozenset[str]]]:
    """What the suggestions mean, computed the plain way in Python over every row."""
    from sqlalchemy import select

    from console.contacts import email_addresses, name_key
    from console.store.models import ChannelAccount, Contact, ContactIdentity, Conversation, Message

    with store.read() as s:
        alive = set(s.scalars(select(Contact.id).where(Contact.merged_into.is_(None))))
        names = {cid: name for cid, name in s.execute(select(Contact.id, Contact.display_name))}
        idents = s.execute(
            select(ContactIdentity.contact_id, ContactIdentity.handle, ChannelAccount.kind).join(
                ChannelAccount, ChannelAccount.id == ContactIdentity.account_id
            )
        ).all()
        times = s.scalars(
            select(Message.sent_at).where(Message.direction == "in").order_by(Message.sent_at)
        ).all()
        cutoff = times[-message_scan] if len(times) >= message_scan else 0
        # The newest ``message_scan`` (and any sent at the same moment as the last of them).
        bodies = s.execute(
            select(Conversation.contact_id, Message.body)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Message.direction == "in", Message.sent_at >= cutoff)
        ).all()
    keys: dict[tuple[str, str], set[str]] = {}
    kinds: dict[str, set[str]] = {}
    for cid, _handle, kind in idents:
        kinds.setdefault(cid, set()).add(kind)
    for cid, text in [*((c, h) for c, h, _k in idents), *bodies]:
        for number in phone_numbers(text):
            keys.setdefault(("phone", number), set()).add(cid)
        for address in email_addresses(text):
            keys.setdefault(("email", address), set()).add(cid)
    out: set[tuple[str, frozenset[str]]] = set()
    for (kind, _value), ids in keys.items():
        group = frozenset(ids & alive)
        if len(group) > 1:
            out.add((kind, group))
    by_name: dict[str, set[str]] = {}
    for cid in alive:
        loose = name_key(names[cid])
        if len(loose) >= 2:
            by_name.setdefault(loose, set()).add(cid)
    seen = {g for _r, g in out}
    for ids in by_name.values():
        channels = set().union(*(kinds.get(c, set()) for c in ids))
        if len(ids) > 1 and len(channels) > 1 and frozenset(ids) not in seen:
            out.add(("name", frozenset(ids)))
    return out


def test_suggestions_found_by_the_database_match_the_plain_reading(store: Store) -> None:
    import random

    rng = random.Random(7)
    accounts = [add_account(store, kind, kind) for kind in ("sms", "kakaotalk", "email", "x")]
    people = ["김민지", "Kim Minji", "kim minji", "박 지훈", "박지훈", "이서연", "고객", "A"]
    numbers = ["010-1234-5678", "01012345678", "+82 10 1234 5678", "02-123-4567", "1234-5678"]
    mails = ["minji@example.com", "Minji@Example.com", "seo@clinic.kr"]
    for i in range(160):
        texts = [
            rng.choice(
                [
                    "예약 문의드려요",
                    f"연락처 {rng.choice(numbers)} 입니다",
                    f"메일 {rng.choice(mails)} 로 주세요",
                    "주문번호 20261126123456",
                    "@sotong_clinic 토요일도 하나요?",
                ]
            )
            for _ in range(rng.randint(1, 3))
        ]
        handle = rng.choice([f"h{i}", f"h-{rng.choice(numbers)}-{i}", f"{i}{rng.choice(mails)}"])
        add_conversation(
            store,
            rng.choice(accounts),
            [("in", t) for t in texts],
            rng.choice(people),
            handle,
            rng.randint(0, 600),
        )
    for scan in (20, 1000):
        got = {(g.reason, frozenset(g.contact_ids)) for g in suggest_duplicates(store, None, scan)}
        assert got == _reference_suggestions(store, scan)
    assert any(reason == "name" for reason, _g in got)
    assert any(reason == "phone" for reason, _g in got)
