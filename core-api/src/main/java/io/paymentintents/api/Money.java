package io.paymentintents.api;

/**
 * An exact amount: minor units of one currency. Never a floating point number.
 */
public record Money(long amount, String currency) {

    public Money {
        if (amount < 0) {
            throw new IllegalArgumentException("amount must not be negative: " + amount);
        }
        if (!Currencies.isKnown(currency)) {
            throw new IllegalArgumentException("not an ISO 4217 currency: " + currency);
        }
    }

    public static Money of(long amount, String currency) {
        return new Money(amount, currency);
    }

    public Money minus(Money other) {
        requireSameCurrency(other);
        return new Money(Math.subtractExact(amount, other.amount), currency);
    }

    public boolean exceeds(Money other) {
        requireSameCurrency(other);
        return amount > other.amount;
    }

    public Money zero() {
        return new Money(0, currency);
    }

    private void requireSameCurrency(Money other) {
        if (!currency.equals(other.currency)) {
            throw new IllegalArgumentException("currency mismatch: " + currency + " and " + other.currency);
        }
    }
}
