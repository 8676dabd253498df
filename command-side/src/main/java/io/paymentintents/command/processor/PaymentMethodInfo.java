package io.paymentintents.command.processor;

/** A payment method as the processor knows it: its id and type ({@code card}, {@code direct_debit}, ...). */
public record PaymentMethodInfo(String id, String type) {
}
