package io.paymentintents.standalone.processors;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.axonframework.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gauges per processor and segment, refreshed from {@code token_entry} every {@code payments.metrics.processor-refresh}
 * (2 s): {@code payments.processor.position}, {@code payments.processor.lag} (events) and
 * {@code payments.processor.oldest.unprocessed.age} (seconds, 0 when nothing waits). A processor that appears (a
 * rebuild's) gets gauges at the next refresh; one whose tokens are gone loses them.
 */
@Component
public class EventProcessorMetrics {

    private static final Logger log = LoggerFactory.getLogger(EventProcessorMetrics.class);

    private final EventProcessorPositions positions;
    private final MeterRegistry registry;
    private final Map<String, Values> segments = new ConcurrentHashMap<>();

    public EventProcessorMetrics(JdbcTemplate jdbc, @Qualifier("serializer") Serializer tokenSerializer,
                            MeterRegistry registry, Clock clock) {
        this.positions = new EventProcessorPositions(jdbc, tokenSerializer, clock);
        this.registry = registry;
    }

    /** The latest values of one segment; its gauges read them. */
    private static final class Values {
        volatile double position;
        volatile double lag;
        volatile double oldestUnprocessedAge;
        List<Gauge> gauges;
    }

    @Scheduled(fixedDelayString = "${payments.metrics.processor-refresh:2s}", initialDelayString = "1s")
    public void refresh() {
        List<EventProcessorPositions.Segment> current;
        try {
            current = positions.read();
        } catch (RuntimeException e) {
            log.debug("cannot read processor positions: {}", e.toString());
            return;
        }
        Set<String> seen = new HashSet<>();
        for (EventProcessorPositions.Segment segment : current) {
            String key = segment.processor() + "/" + segment.segment();
            seen.add(key);
            Values values = segments.computeIfAbsent(key, k -> register(segment));
            values.position = segment.position();
            values.lag = segment.lag();
            Duration age = segment.oldestUnprocessedAge();
            values.oldestUnprocessedAge = age == null ? 0 : age.toMillis() / 1000.0;
        }
        segments.entrySet().removeIf(entry -> {
            if (seen.contains(entry.getKey())) {
                return false;
            }
            entry.getValue().gauges.forEach(registry::remove);
            return true;
        });
    }

    private Values register(EventProcessorPositions.Segment segment) {
        Tags tags = Tags.of("processor", segment.processor(), "segment", Integer.toString(segment.segment()));
        Values values = new Values();
        values.gauges = List.of(
                Gauge.builder("payments.processor.position", values, v -> v.position).tags(tags)
                     .description("Global index of the last event the segment handled (-1: none yet)")
                     .register(registry),
                Gauge.builder("payments.processor.lag", values, v -> v.lag).tags(tags).baseUnit("events")
                     .description("Events stored after the segment's position").register(registry),
                Gauge.builder("payments.processor.oldest.unprocessed.age", values, v -> v.oldestUnprocessedAge)
                     .tags(tags).baseUnit("seconds")
                     .description("Age of the first event the segment has not handled yet (0: none)")
                     .register(registry));
        return values;
    }
}
