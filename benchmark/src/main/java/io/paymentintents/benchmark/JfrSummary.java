package io.paymentintents.benchmark;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code jfr}: where the service's CPU went, from a JFR recording ({@code PROFILE=1 bench/run-load.sh}): execution
 * samples by thread group, then the methods most often on the stack (inclusive), optionally only within
 * {@code --from}..{@code --to} (ISO instants, e.g. one step's time span from load.json), and only for threads whose
 * name contains {@code --thread}.
 */
final class JfrSummary {

    private JfrSummary() {
    }

    static void main(Args args) throws Exception {
        Path file = Path.of(args.required("file"));
        Instant from = args.string("from", null) == null ? Instant.MIN : Instant.parse(args.string("from", null));
        Instant to = args.string("to", null) == null ? Instant.MAX : Instant.parse(args.string("to", null));
        String threadFilter = args.string("thread", "");
        String prefix = args.string("prefix", "");
        int top = args.integer("top", 60);
        // with --wall, threads waiting in native code (socket reads: the database, the network) are counted too,
        // which approximates where a thread's wall-clock time goes (JFR samples those every 20 ms, running threads
        // every 10 ms in its "profile" settings)
        boolean wall = args.flag("wall");
        // only samples with a frame whose class.method contains this
        String containing = args.string("containing", "");
        // e.g. jdk.ObjectAllocationSample: where allocations come from (counted by sample, not by weight)
        String eventName = args.string("event", "jdk.ExecutionSample");
        Map<String, Integer> byThread = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, Integer> leaf = new HashMap<>();
        Map<String, Integer> packages = new HashMap<>();
        int samples = 0;
        int natives = 0;
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent event = recording.readEvent();
                String type = event.getEventType().getName();
                if (!type.equals(eventName) && !(wall && type.equals("jdk.NativeMethodSample"))) {
                    continue;
                }
                if (event.getStartTime().isBefore(from) || event.getStartTime().isAfter(to)) {
                    continue;
                }
                if (type.equals("jdk.NativeMethodSample")) {
                    natives++;
                }
                jdk.jfr.consumer.RecordedThread sampled = event.hasField("sampledThread")
                        ? event.getThread("sampledThread") : event.getThread();
                String thread = sampled == null ? "?" : sampled.getJavaName();
                if (thread == null) {
                    thread = "?";
                }
                if (!thread.contains(threadFilter)) {
                    continue;
                }
                RecordedStackTrace stack = event.getStackTrace();
                if (!containing.isEmpty() && (stack == null || stack.getFrames().stream().noneMatch(frame ->
                        (frame.getMethod().getType().getName() + "." + frame.getMethod().getName())
                                .contains(containing)))) {
                    continue;
                }
                samples++;
                byThread.merge(group(thread), 1, Integer::sum);
                if (stack == null) {
                    continue;
                }
                Set<String> seen = new HashSet<>();
                List<RecordedFrame> frames = stack.getFrames();
                packages.merge(owner(frames), 1, Integer::sum);
                for (int i = 0; i < frames.size(); i++) {
                    RecordedFrame frame = frames.get(i);
                    String name = frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
                    if (i == 0) {
                        leaf.merge(name, 1, Integer::sum);
                    }
                    if (name.startsWith(prefix) && seen.add(name)) {
                        inclusive.merge(name, 1, Integer::sum);
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%d samples (%d of them in native code)%s%n%nby thread:%n", samples, natives,
                threadFilter.isEmpty() ? "" : " of threads containing '" + threadFilter + "'");
        print(byThread, samples, 20);
        System.out.printf("%nmost often on the stack (inclusive%s):%n", prefix.isEmpty() ? "" : ", " + prefix + "*");
        print(inclusive, samples, top);
        System.out.printf("%nmost often on top of the stack (self):%n");
        print(leaf, samples, 25);
        System.out.printf("%nself time by library (the top frame's, or for a JDK frame the nearest caller's):%n");
        print(packages, samples, 25);
    }

    /** The library a sample's time belongs to: its top frame's, or if that is the JDK's, its nearest caller's. */
    private static String owner(List<RecordedFrame> frames) {
        for (RecordedFrame frame : frames) {
            String type = frame.getMethod().getType().getName();
            if (type.startsWith("java.") || type.startsWith("jdk.") || type.startsWith("sun.")
                    || type.startsWith("javax.") || type.startsWith("com.sun.")) {
                continue;
            }
            String[] parts = type.split("\\.");
            if (type.startsWith("io.paymentintents.")) {
                return String.join(".", java.util.Arrays.copyOf(parts, Math.min(3, parts.length)));
            }
            if (type.startsWith("org.springframework.") || type.startsWith("org.axonframework.")
                    || type.startsWith("org.apache.")) {
                return String.join(".", java.util.Arrays.copyOf(parts, Math.min(3, parts.length)));
            }
            return String.join(".", java.util.Arrays.copyOf(parts, Math.min(2, parts.length)));
        }
        return frames.isEmpty() ? "?" : "JDK only";
    }

    private static String group(String thread) {
        if (thread.startsWith("http-nio-")) {
            return "http-nio-*-exec-* (requests)";
        }
        return thread.replaceAll("\\d+", "N");
    }

    private static void print(Map<String, Integer> counts, int total, int limit) {
        Map<String, Integer> sorted = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(limit)
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        sorted.forEach((name, count) -> System.out.printf(Locale.ROOT, "  %5.1f %%  %6d  %s%n",
                100.0 * count / Math.max(1, total), count, name));
    }
}
