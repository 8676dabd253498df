package io.paymentintents.gateway.idempotency;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * For the crash test only (off unless configured): kills the process the way a power cut would, after a request's
 * events are stored and before its response is, once per Idempotency-Key that starts with the configured prefix.
 * "Once" is remembered in a marker file, so the restarted process answers the retry normally.
 */
public final class FaultInjection {

    private static final Logger log = LoggerFactory.getLogger(FaultInjection.class);

    private final String haltKeyPrefix;
    private final Path markers;

    public FaultInjection(String haltKeyPrefix, Path markers) {
        this.haltKeyPrefix = haltKeyPrefix == null || haltKeyPrefix.isBlank() ? null : haltKeyPrefix;
        this.markers = markers;
    }

    public static FaultInjection none() {
        return new FaultInjection(null, null);
    }

    void beforeStoringResponse(String idempotencyKey) {
        if (haltKeyPrefix == null || idempotencyKey == null || !idempotencyKey.startsWith(haltKeyPrefix)) {
            return;
        }
        try {
            Files.createDirectories(markers);
            Files.createFile(markers.resolve(digest(idempotencyKey)));
        } catch (FileAlreadyExistsException e) {
            return; // halted for this key before: this is the retry
        } catch (IOException e) {
            throw new IllegalStateException("cannot record the injected fault", e);
        }
        log.error("fault injection: halting after the events of '{}' are stored, before its response is",
                idempotencyKey);
        Runtime.getRuntime().halt(137);
    }

    private static String digest(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
