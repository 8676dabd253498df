package io.paymentintents.api;

import java.util.Currency;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * ISO 4217 currencies (as the JDK knows them) and the smallest amount a payment may have in each, in minor units.
 * The minimums follow Stripe's published table; a currency not listed there may take any positive amount.
 */
public final class Currencies {

    private static final Set<String> ISO_4217 = Currency.getAvailableCurrencies().stream()
            .map(c -> c.getCurrencyCode().toLowerCase(Locale.ROOT))
            .collect(Collectors.toUnmodifiableSet());

    private static final Map<String, Long> MINIMUM_AMOUNT = Map.ofEntries(
            Map.entry("usd", 50L), Map.entry("aed", 200L), Map.entry("aud", 50L), Map.entry("bgn", 100L),
            Map.entry("brl", 50L), Map.entry("cad", 50L), Map.entry("chf", 50L), Map.entry("czk", 1500L),
            Map.entry("dkk", 250L), Map.entry("eur", 50L), Map.entry("gbp", 30L), Map.entry("hkd", 400L),
            Map.entry("huf", 17500L), Map.entry("inr", 50L), Map.entry("jpy", 50L), Map.entry("mxn", 1000L),
            Map.entry("myr", 200L), Map.entry("nok", 300L), Map.entry("nzd", 50L), Map.entry("pln", 200L),
            Map.entry("ron", 200L), Map.entry("sek", 300L), Map.entry("sgd", 50L), Map.entry("thb", 1000L));

    /** Stripe's ceiling: eight digits of minor units. */
    public static final long MAXIMUM_AMOUNT = 99_999_999L;

    private Currencies() {
    }

    public static boolean isKnown(String currency) {
        return currency != null && ISO_4217.contains(currency);
    }

    public static long minimumAmount(String currency) {
        return MINIMUM_AMOUNT.getOrDefault(currency, 1L);
    }

    /**
     * Stripe's amount rules for one currency, shared by the gateway (which checks before anything executes) and the
     * aggregate (which must never accept a bad amount, whoever sends the command).
     */
    public static java.util.Optional<io.paymentintents.api.error.ApiError> checkAmount(long amount, String currency) {
        if (!isKnown(currency)) {
            return java.util.Optional.of(io.paymentintents.api.error.ApiError.invalidRequest(
                    io.paymentintents.api.error.ErrorCodes.INVALID_CURRENCY, "currency", "Invalid currency: "
                            + currency + ". Use a lowercase three-letter ISO 4217 currency code."));
        }
        if (amount < minimumAmount(currency)) {
            return java.util.Optional.of(io.paymentintents.api.error.ApiError.invalidRequest(
                    io.paymentintents.api.error.ErrorCodes.AMOUNT_TOO_SMALL, "amount",
                    "Amount must be at least " + format(minimumAmount(currency), currency)));
        }
        if (amount > MAXIMUM_AMOUNT) {
            return java.util.Optional.of(io.paymentintents.api.error.ApiError.invalidRequest(
                    io.paymentintents.api.error.ErrorCodes.AMOUNT_TOO_LARGE, "amount",
                    "Amount must be no more than " + format(MAXIMUM_AMOUNT, currency)));
        }
        return java.util.Optional.empty();
    }

    /** Formats minor units for messages ("$0.50 usd"), using the currency's own number of decimals. */
    public static String format(long minorUnits, String currency) {
        int digits = Math.max(0, Currency.getInstance(currency.toUpperCase(Locale.ROOT)).getDefaultFractionDigits());
        String major = String.format(Locale.US, "%,." + digits + "f", java.math.BigDecimal.valueOf(minorUnits, digits));
        return ("usd".equals(currency) ? "$" : "") + major + " " + currency;
    }
}
