package io.paymentintents.standalone;

import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Shares every streaming event processor's segments evenly among the nodes that run on this database.
 *
 * <p>Axon's tracking processor on a JDBC token store does not balance: a node claims every free segment it has a
 * thread for. Every node has a thread per segment, so that a single survivor can take over all of them; without
 * this, the first node to start would therefore hold every segment for good. Each node writes a heartbeat into
 * {@code processor_nodes} every {@code interval}; the nodes seen within {@code liveness} are the live ones. Each
 * gets a share ({@link #quota}): segments / nodes, and one more for (segments mod nodes) of them. A node holding
 * more than its share releases the excess, and stays away from it for {@code releaseFor}, in which a node below its
 * share (its processor's launcher looks for free segments every token-claim interval) takes it.
 *
 * <p>It never keeps a node from claiming, so the takeover of a dead node's segments does not depend on it: once the
 * dead node's claims have timed out, any node with a free thread claims them, and later rounds even the shares out.
 * {@code liveness} must be shorter than the claim timeout, so that by then the dead node no longer has a share that
 * others would release segments to.
 *
 * <p>A node whose processors are not all running (starting, stopping, or stopped by an error) sends no heartbeat,
 * so it gets no share. On a graceful stop a node deletes its row at once.
 */
public class SegmentBalancer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SegmentBalancer.class);
    private static final Duration BACK_OFF = Duration.ofMinutes(1);

    private final JdbcTemplate jdbc;
    private final Supplier<EventProcessingConfiguration> processing;
    private final String nodeId;
    private final Duration interval;
    private final Duration liveness;
    private final Duration releaseFor;
    /** Processor → segment this node released → until when it stays away from it. */
    private final Map<String, Map<Integer, Long>> released = new ConcurrentHashMap<>();
    private final Map<String, Long> pausedUntil = new ConcurrentHashMap<>();
    private ScheduledExecutorService executor;
    private volatile boolean running;

    public SegmentBalancer(JdbcTemplate jdbc, Supplier<EventProcessingConfiguration> processing, String nodeId,
                           Duration interval, Duration liveness, Duration releaseFor) {
        this.jdbc = jdbc;
        this.processing = processing;
        this.nodeId = nodeId;
        this.interval = interval;
        this.liveness = liveness;
        this.releaseFor = releaseFor;
    }

    @Override
    public void start() {
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "segment-balancer");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::round, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        executor.shutdownNow();
        try {
            jdbc.update("DELETE FROM processor_nodes WHERE node_id = ?", nodeId);
        } catch (RuntimeException e) {
            log.debug("could not remove this node from processor_nodes", e);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void round() {
        try {
            balance();
        } catch (RuntimeException e) {
            log.warn("segment balancing round failed: {}", e.toString());
        }
    }

    /** One round: heartbeat, then each processor's share. */
    void balance() {
        List<StreamingEventProcessor> processors = new ArrayList<>();
        for (EventProcessor processor : processing.get().eventProcessors().values()) {
            if (processor instanceof StreamingEventProcessor streaming) {
                if (!streaming.isRunning() || streaming.isError()) {
                    return;
                }
                processors.add(streaming);
            }
        }
        if (processors.isEmpty()) {
            return;
        }
        jdbc.update("""
                INSERT INTO processor_nodes (node_id, seen_at) VALUES (?, now())
                ON CONFLICT (node_id) DO UPDATE SET seen_at = now()""", nodeId);
        jdbc.update("DELETE FROM processor_nodes WHERE seen_at < now() - interval '1 day'");
        List<String> live = jdbc.queryForList("""
                SELECT node_id FROM processor_nodes WHERE seen_at > now() - make_interval(secs => ?)
                ORDER BY node_id""", String.class, liveness.toMillis() / 1000.0);
        if (!live.contains(nodeId)) {
            return;
        }
        for (StreamingEventProcessor processor : processors) {
            balance(processor, live);
        }
    }

    private void balance(StreamingEventProcessor processor, List<String> live) {
        String name = processor.getName();
        long now = System.currentTimeMillis();
        Integer segments = jdbc.queryForObject("SELECT count(*) FROM token_entry WHERE processor_name = ?",
                Integer.class, name);
        if (segments == null || segments == 0 || pausedUntil.getOrDefault(name, 0L) > now) {
            return; // not initialized yet, or backing off (below)
        }
        Map<Integer, Long> releasedHere = released.computeIfAbsent(name, n -> new ConcurrentHashMap<>());
        List<Integer> mine = new ArrayList<>();
        for (int segment : processor.processingStatus().keySet()) {
            Long until = releasedHere.get(segment);
            if (until == null) {
                mine.add(segment);
            } else if (until < now) {
                // Released, taken by no other node, and claimed back: some live node cannot take it (fewer threads
                // than segments?). Stop for a while rather than pause the segment again every few seconds.
                releasedHere.clear();
                pausedUntil.put(name, now + BACK_OFF.toMillis());
                log.warn("segment {} of processor {} was released, but no other node took it; not balancing {} for "
                        + "{} s. Does every node run as many threads as there are segments?", segment, name, name,
                        BACK_OFF.toSeconds());
                return;
            }
            // else: released this round or the last, still finishing its batch here
        }
        // past its time and not back here: another node took it
        releasedHere.entrySet().removeIf(entry -> entry.getValue() < now
                && !processor.processingStatus().containsKey(entry.getKey()));
        int quota = quota(name, segments, live, nodeId);
        mine.sort(null);
        for (int i = 0; i < mine.size() - quota; i++) {
            int segment = mine.get(mine.size() - 1 - i);
            log.info("releasing segment {} of processor {} to another node ({} live nodes, this one holds {}, its "
                    + "share is {})", segment, name, live.size(), mine.size(), quota);
            processor.releaseSegment(segment, releaseFor.toMillis(), TimeUnit.MILLISECONDS);
            releasedHere.put(segment, now + releaseFor.toMillis());
        }
    }

    /**
     * The number of segments a live node should hold: segments / nodes, one more for (segments mod nodes) of them.
     * Which nodes get one more turns with the processor's name, so that several processors with fewer segments than
     * nodes do not all end up on the same node.
     */
    static int quota(String processor, int segments, List<String> live, String node) {
        int place = Math.floorMod(live.indexOf(node) + processor.hashCode(), live.size());
        return segments / live.size() + (place < segments % live.size() ? 1 : 0);
    }
}
