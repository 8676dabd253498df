package io.paymentintents.gateway.auth;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the few endpoints a publishable key may call (as Stripe.js does: retrieve and confirm an intent, each with
 * its client_secret). Every other endpoint refuses publishable keys, including any endpoint added later without
 * this mark. The endpoint itself must still check the client_secret ({@link PublishableKeyAccess}).
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface PublishableKeyAllowed {
}
