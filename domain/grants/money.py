"""Money for the fund: an ISO 4217 currency and exact amounts in cents.

Grant money is never a float: 0.1 + 0.2 is not 0.3 in binary, and a fund statement that is a
cent off does not reconcile with the bank. Amounts are `Decimal` with at most two decimals, checked
where they enter (a figure with a third decimal is refused, not silently rounded: the applicant
meant something and should say it) and quantized where the rules compute them (a 40 % share,
a median). Currencies without minor units (KRW, JPY) simply carry ".00".

Shares (a matching-funds requirement of 30 %) are fractions `0.30`; tranche percentages are
percents `40`. `format_share` and `format_percent` print both the same way.
"""

from __future__ import annotations

import math
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

from domain.agreement_rules import Rejected

CENT = Decimal("0.01")

# ISO 4217 codes the fund may hold or applicants may budget in: the network's own currencies
# and the usual currencies of international film finance.
CURRENCIES: dict[str, str] = {
    "USD": "US dollar",
    "EUR": "euro",
    "GBP": "pound sterling",
    "CHF": "Swiss franc",
    "JPY": "Japanese yen",
    "CNY": "Chinese yuan",
    "RUB": "Russian rouble",
    "KZT": "Kazakhstani tenge",
    "KGS": "Kyrgyz som",
    "TJS": "Tajikistani somoni",
    "UZS": "Uzbekistani sum",
    "INR": "Indian rupee",
    "PKR": "Pakistani rupee",
    "IRR": "Iranian rial",
    "BYN": "Belarusian rouble",
    "AFN": "Afghan afghani",
    "MNT": "Mongolian tögrög",
    "AMD": "Armenian dram",
    "AZN": "Azerbaijani manat",
    "KHR": "Cambodian riel",
    "NPR": "Nepalese rupee",
    "LKR": "Sri Lankan rupee",
    "TRY": "Turkish lira",
    "EGP": "Egyptian pound",
    "QAR": "Qatari riyal",
    "SAR": "Saudi riyal",
    "KWD": "Kuwaiti dinar",
    "MVR": "Maldivian rufiyaa",
    "MMK": "Myanmar kyat",
    "AED": "UAE dirham",
    "BHD": "Bahraini dinar",
    "LAK": "Lao kip",
    "KRW": "Korean won",
}


def check_currency(code: str) -> str:
    """The upper-cased ISO 4217 code, or a ValueError naming what is accepted."""
    if not isinstance(code, str) or code.upper() not in CURRENCIES:
        raise ValueError(
            f"'{code}' is not an ISO 4217 currency the fund accepts; use a code such as USD, EUR, CNY, RUB, INR or KRW"
        )
    return code.upper()


MAX_AMOUNT = Decimal(10) ** 15  # a quadrillion: beyond any fund, and far from Decimal's limits
MIN_EXPONENT = -100  # 1E-100: finer than any share or amount; keeps `plain` short and Decimal in its limits


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def to_decimal(value: Any) -> Decimal:
    """A Decimal from a Decimal, an int or a numeric string; floats are refused, being inexact."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError(f"give money as a string or a Decimal, not the float {value!r}, which binary cannot hold exactly")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int | str):
        try:
            d = Decimal(str(value).strip().replace(",", "").replace("_", ""))
        except (InvalidOperation, ValueError):  # ValueError: an int of more than 4,300 digits
            raise ValueError(f"'{_shown(value)}' is not an amount of money") from None
    else:
        raise ValueError(f"{_shown(repr(value))} is not an amount of money")
    if not d.is_finite():
        raise ValueError(f"'{_shown(value)}' is not an amount of money")
    # copy_abs and comparisons need no context: abs() of 1E+1000000 would raise decimal.Overflow
    if d.copy_abs() >= MAX_AMOUNT:
        raise ValueError(f"'{_shown(value)}' is larger than any amount Helix handles (under {MAX_AMOUNT:,})")
    if d and d.as_tuple().exponent < MIN_EXPONENT:
        raise ValueError(f"'{_shown(value)}' has more decimals than any amount Helix handles")
    return d


def check_cents(value: Decimal) -> Decimal:
    """The amount at two decimals; refused if negative or finer than a cent."""
    if value < 0:
        raise ValueError(f"an amount cannot be negative ({plain(value)})")
    if value != value.quantize(CENT, rounding=ROUND_DOWN):
        raise ValueError(f"{plain(value)} has more than two decimals; amounts are in whole cents")
    return value.quantize(CENT)


def _positive(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError("an amount must be more than zero")
    return value


def _share(value: Decimal) -> Decimal:
    if not Decimal(0) <= value <= Decimal(1):
        raise ValueError(f"a share is a fraction from 0 to 1 (0.30 for 30%), not {plain(value)}")
    return value


def _percent(value: Decimal) -> Decimal:
    if not Decimal(0) < value <= Decimal(100):
        raise ValueError(f"a percentage is more than 0 and at most 100, not {plain(value)}")
    return value


Amount = Annotated[Decimal, BeforeValidator(to_decimal), AfterValidator(check_cents)]
"""A non-negative amount of money in cents; floats refused."""

PositiveAmount = Annotated[Decimal, BeforeValidator(to_decimal), AfterValidator(check_cents), AfterValidator(_positive)]
"""An amount of money that must be more than zero."""

Share = Annotated[Decimal, BeforeValidator(to_decimal), AfterValidator(_share)]
"""A fraction from 0 to 1: 0.30 is 30 %."""

Percent = Annotated[Decimal, BeforeValidator(to_decimal), AfterValidator(_percent)]
"""A percentage above 0 and at most 100: 40 is 40 %."""

Currency = Annotated[str, AfterValidator(check_currency)]
"""An ISO 4217 code the fund accepts, upper-cased."""


def cents(value: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
    """A computed amount rounded to the cent (half up unless the rule says otherwise)."""
    return value.quantize(CENT, rounding=rounding)


def money_in(value: Any, what: str = "the amount") -> Decimal:
    """An amount passed to a rule (not a model): exact cents, not negative, else `Rejected`."""
    try:
        return check_cents(to_decimal(value))
    except ValueError as e:
        raise Rejected(f"{what[0].upper()}{what[1:]} is not valid: {e}.") from None


def plain(value: Decimal) -> str:
    """A Decimal without exponent: Decimal('1E+5') → '100000'."""
    return f"{value:f}"


def format_money(amount: Decimal, currency: str) -> str:
    """'1,000,000.00 USD': grouped thousands, two decimals, the ISO code after (unambiguous in every language)."""
    return f"{format_amount(amount)} {currency}"


def format_amount(amount: Decimal) -> str:
    """'950,000.00': the figure alone, for sentences that name the currency once."""
    return f"{cents(amount):,.2f}"


def format_share(share: Decimal) -> str:
    """0.3 → '30%', 0.28571 → '28.57%': rounded down, so a share just short of a threshold never prints as meeting it."""
    return format_percent(share * 100)


def format_percent(percent: Decimal) -> str:
    """40 → '40%', 12.5 → '12.5%', 33.333 → '33.33%' (rounded down to two decimals)."""
    text = plain(percent.quantize(CENT, rounding=ROUND_DOWN))
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return f"{text}%"


def round_half_up(value: Fraction, quantum: Decimal = CENT) -> Decimal:
    """An exact fraction rounded half up to `quantum`: 655/9 → 72.78, and 72.775 exactly → 72.78.

    Rules that divide (weighted scores, means, medians) work in `Fraction` and round once here, so
    a true half is never lost to a 28-digit approximation like 72.77499….
    """
    steps = value / Fraction(quantum)
    whole = math.floor(steps + Fraction(1, 2)) if steps >= 0 else -math.floor(-steps + Fraction(1, 2))
    return (Decimal(whole) * quantum).quantize(quantum)


def share_of(part: Decimal, whole: Decimal) -> Decimal:
    """`part / whole` as an exact-enough fraction (28 significant digits); 0 for an empty whole."""
    return Decimal(0) if whole == 0 else part / whole
