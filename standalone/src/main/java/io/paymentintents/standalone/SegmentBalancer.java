package io.paymentintents.standalone;

import org.axonframework.common.DateTimeUtils;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * {@code processor_nodes} every {@code interval}; the nodes seen within {@code liveness} are the live ones. Sorted by
 * id, each gets a quota: segments / nodes, and one more for the first (segments mod nodes). A node holding more than
 * its quota releases the excess (for {@code releaseFor}, so that it does not claim it straight back), but only as
 * many segments as other live nodes lack beyond the segments already free. It never keeps a node from claiming: the
 * takeover of a dead node's segments does not depend on it. Once the dead node's claims have timed out, any node
 * with a free thread claims them, and later rounds even the shares out again.
 *
 * <p>A node whose processors are not all running (starting, stopping, or stopped by an error) sends no heartbeat,
 * so it is given no quota. On a graceful stop a node deletes its row at once.
 */
public class SegmentBalancer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SegmentBalancer.class);

    private final JdbcTemplate jdbc;
    private final Supplier<EventProcessingConfiguration> processing;
    private final String nodeId;
    private final Duration interval;
    private final Duration liveness;
    private final Duration claimTimeout;
    private final Duration releaseFor;
    private ScheduledExecutorService executor;
    private volatile boolean running;

    public SegmentBalancer(JdbcTemplate jdbc, Supplier<EventProcessingConfiguration> processing, String nodeId,
                           Duration interval, Duration liveness, Duration claimTimeout, Duration releaseFor) {
        this.jdbc = jdbc;
        this.processing = processing;
        this.nodeId = nodeId;
        this.interval = interval;
        this.liveness = liveness;
        this.claimTimeout = claimTimeout;
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

    /** Stopped before Axon's processors are, so that the others stop counting on this node first. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1;
    }

    void round() {
        try {
            balance();
        } catch (RuntimeException e) {
            log.warn("segment balancing round failed: {}", e.toString());
        }
    }

    /** One round: heartbeat, then each processor's share. */
    public void balance() {
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
        List<Claim> claims = jdbc.query("""
                SELECT segment, owner, time_stamp FROM token_entry WHERE processor_name = ? ORDER BY segment""",
                (row, i) -> new Claim(row.getInt(1), row.getString(2), row.getString(3)), processor.getName());
        if (claims.isEmpty()) {
            return; // not initialized yet
        }
        // Claims are judged as JdbcTokenStore judges them: by this node's clock against the stored time stamp.
        Instant now = Instant.now();
        Map<String, Integer> held = new HashMap<>();
        int free = 0;
        for (Claim claim : claims) {
            if (claim.owner() != null && claim.timestamp() != null
                    && DateTimeUtils.parseInstant(claim.timestamp()).plus(claimTimeout).isAfter(now)) {
                held.merge(claim.owner(), 1, Integer::sum);
            } else {
                free++;
            }
        }
        int segments = claims.size();
        List<Integer> mine = new ArrayList<>(processor.processingStatus().keySet());
        int quota = quota(segments, live, nodeId);
        if (mine.size() <= quota) {
            return;
        }
        int lacking = 0;
        for (String node : live) {
            if (!node.equals(nodeId)) {
                lacking += Math.max(0, quota(segments, live, node) - held.getOrDefault(node, 0));
            }
        }
        int release = Math.min(mine.size() - quota, lacking - free);
        mine.sort(null);
        for (int i = 0; i < release; i++) {
            int segment = mine.get(mine.size() - 1 - i);
            log.info("releasing segment {} of processor {} to another node ({} live nodes, this one holds {}, "
                    + "its share is {})", segment, processor.getName(), live.size(), mine.size(), quota);
            processor.releaseSegment(segment, releaseFor.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The number of segments the node at this place among the live nodes should hold. */
    static int quota(int segments, List<String> live, String node) {
        int index = live.indexOf(node);
        return segments / live.size() + (index < segments % live.size() ? 1 : 0);
    }

    private record Claim(int segment, String owner, String timestamp) {
    }
}
