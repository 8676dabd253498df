package io.paymentintents.standalone.processors;

import io.paymentintents.query.StoredTokens;
import org.axonframework.serialization.Serializer;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Where each event processor has got to: every segment in {@code token_entry} (whatever processors the service has),
 * against the head of the event store. Read by the operator command ({@code admin processors list}) and by the
 * service's metrics.
 */
public final class EventProcessorPositions {

    /**
     * One segment of one processor.
     *
     * @param position global index of the last event the segment handled; -1 before its first
     * @param head     global index of the last event stored
     * @param lag      events stored after the position (with several segments, each handles only its share of
     *                 them, so this is an upper bound)
     * @param oldestUnprocessedAge how long ago the first of those events was stored; null when there is none
     * @param owner    the node that holds the segment ({@code pid@host}); null when none does
     */
    public record Segment(String processor, int segment, long position, long head, long lag,
                          Duration oldestUnprocessedAge, String owner) {
    }

    private final JdbcTemplate jdbc;
    private final Serializer tokenSerializer;
    private final Clock clock;

    public EventProcessorPositions(JdbcTemplate jdbc, Serializer tokenSerializer, Clock clock) {
        this.jdbc = jdbc;
        this.tokenSerializer = tokenSerializer;
        this.clock = clock;
    }

    public List<Segment> read() {
        long head = jdbc.queryForObject("SELECT coalesce(max(global_index), 0) FROM domain_event_entry", Long.class);
        Instant now = clock.instant();
        // Axon keeps its own rows (the token store's identity) under names starting with two underscores
        return jdbc.query("""
                SELECT processor_name, segment, token, token_type, owner FROM token_entry
                WHERE processor_name NOT LIKE '\\_\\_%' ORDER BY processor_name, segment""", (rs, row) -> {
            long position = position(rs.getBytes("token"), rs.getString("token_type"));
            long lag = Math.max(0, head - Math.max(position, 0));
            return new Segment(rs.getString("processor_name"), rs.getInt("segment"), position, head, lag,
                    lag == 0 ? null : ageOfFirstEventAfter(position, now), rs.getString("owner"));
        });
    }

    private long position(byte[] token, String type) {
        return StoredTokens.position(tokenSerializer, token, type);
    }

    private Duration ageOfFirstEventAfter(long position, Instant now) {
        List<String> stored = jdbc.queryForList("SELECT time_stamp FROM domain_event_entry WHERE global_index > ? "
                + "ORDER BY global_index LIMIT 1", String.class, position);
        if (stored.isEmpty()) {
            return null;
        }
        try {
            Duration age = Duration.between(Instant.parse(stored.get(0)), now);
            return age.isNegative() ? Duration.ZERO : age;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
