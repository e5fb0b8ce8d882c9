import pytest
from hypothesis import given
from hypothesis import strategies as st

from tastingroom.selling.tenders import TenderError, TenderInput, TenderKind, settle


def card(amount: int) -> TenderInput:
    return TenderInput(
        TenderKind.CARD, amount, card_type="Visa", card_last4="4242", approval_code="A1B2"
    )


def test_cash_gives_change():
    s = settle(4321, [TenderInput(TenderKind.CASH, 5000)])
    assert s.change_cents == 679 and s.change_from_index == 0


def test_split_tender_change_only_from_cash():
    s = settle(10_000, [card(6000), TenderInput(TenderKind.CASH, 5000)])
    assert s.change_cents == 1000 and s.change_from_index == 1
    with pytest.raises(TenderError, match="change is only given from cash"):
        settle(10_000, [card(11_000)])


def test_short_payment_says_what_is_due():
    with pytest.raises(TenderError, match=r"\$10.00 still due"):
        settle(5000, [card(4000)])


def test_card_records_only_type_last_four_and_approval():
    with pytest.raises(TenderError, match="last four"):
        TenderInput(
            TenderKind.CARD, 100, card_type="Visa", card_last4="4111111111111111", approval_code="A"
        )
    with pytest.raises(TenderError, match="approval code"):
        TenderInput(TenderKind.CARD, 100, card_type="Visa", card_last4="1234")
    with pytest.raises(TenderError, match="card number"):
        TenderInput(TenderKind.CHECK, 100, check_number="4111 1111 1111 1111")


def test_gift_card_house_account_and_complimentary_need_their_details():
    with pytest.raises(TenderError):
        TenderInput(TenderKind.GIFT_CARD, 100)
    with pytest.raises(TenderError):
        TenderInput(TenderKind.HOUSE_ACCOUNT, 100)
    with pytest.raises(TenderError):
        TenderInput(TenderKind.COMPLIMENTARY, 100)
    comp = TenderInput(TenderKind.COMPLIMENTARY, 2500, reason="Wine club pick-up party")
    assert settle(2500, [comp]).change_cents == 0
    with pytest.raises(TenderError, match="complimentary in full"):
        settle(2500, [comp, TenderInput(TenderKind.CASH, 100)])


@given(
    total=st.integers(0, 500_000),
    non_cash=st.lists(st.integers(0, 200_000), max_size=3),
    cash=st.lists(st.integers(0, 200_000), max_size=3),
)
def test_tenders_balance(total, non_cash, cash):
    tenders = [card(a) for a in non_cash] + [TenderInput(TenderKind.CASH, a) for a in cash]
    try:
        s = settle(total, tenders)
    except TenderError:
        assert sum(non_cash) + sum(cash) < total or sum(non_cash) > total
        return
    assert s.paid_cents - s.change_cents == total
    assert 0 <= s.change_cents <= sum(cash)
