package io.paymentintents.benchmark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.HdrHistogram.Histogram;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code load}: the whole load plan against a running service. A warm-up, then each fixed-rate step, then for each
 * scenario a ramp of rates (each {@code ramp-factor} times the last) until a step fails: more than 1 % errors, p99
 * above {@code explode-p99}, less than 90 % of the offered rate achieved, or requests still outstanding
 * {@code drain} after the step. Writes {@code load.json} to {@code --out}.
 */
final class LoadRun {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .findAndRegisterModules();

    record OpResult(long count, long ok, long okInWindow, double achievedPerSecond, Map<String, Long> errors,
                    double p50, double p90, double p99, double p999, double max, double mean) {
    }

    record LagResult(long samples, double p50Ms, double p99Ms, double maxMs, double eventsP50, double eventsP99,
                     double eventsMax, long failures) {
    }

    record StepResult(String phase, String scenario, double offeredRate, double seconds, long scheduled,
                      Map<String, OpResult> ops, LagResult lag, double serviceCores, double postgresCores,
                      double generatorCores, double machineCores, ProcessSampler.Memory memory, boolean drained,
                      double sendLagMaxMillis, boolean healthy, String startedAt) {
        OpResult main() {
            return ops.get(scenario.equals("pair") ? "pair" : scenario);
        }
    }

    record Results(String startedAt, String finishedAt, Map<String, String> settings, List<StepResult> steps) {
    }

    static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("url", "http://localhost:8080");
        DEFAULTS.put("warmup", "pair:50:30s,create:100:30s");
        DEFAULTS.put("fixed", "create:200:60s,pair:100:30s,retrieve:500:30s,list:200:30s");
        DEFAULTS.put("ramps", "pair:100,create:150,retrieve:400,list:200");
        DEFAULTS.put("ramp-factor", "1.25");
        DEFAULTS.put("ramp-step", "20s");
        DEFAULTS.put("ramp-max-steps", "25");
        DEFAULTS.put("max-in-flight", "256");
        DEFAULTS.put("drain", "35s");
        DEFAULTS.put("explode-p99", "1000");
        DEFAULTS.put("keyed", "true");
        DEFAULTS.put("lag-interval", "50ms");
    }

    private final Args args;
    private final Scenarios scenarios;
    private final LagSampler lag;
    private final ProcessSampler machine;
    private final int maxInFlight;
    private final Duration drain;
    private final double explodeP99Millis;
    private final List<StepResult> steps = new ArrayList<>();

    private LoadRun(Args args, Scenarios scenarios, LagSampler lag, ProcessSampler machine) {
        this.args = args;
        this.scenarios = scenarios;
        this.lag = lag;
        this.machine = machine;
        this.maxInFlight = Integer.parseInt(args.string("max-in-flight", DEFAULTS.get("max-in-flight")));
        this.drain = Args.parseDuration(args.string("drain", DEFAULTS.get("drain")));
        this.explodeP99Millis = Double.parseDouble(args.string("explode-p99", DEFAULTS.get("explode-p99")));
    }

    static void main(Args args) throws Exception {
        Path out = Path.of(args.required("out"));
        Files.createDirectories(out);
        String started = Instant.now().toString();
        Map<String, String> settings = new LinkedHashMap<>();
        DEFAULTS.forEach((name, fallback) -> settings.put(name, args.string(name, fallback)));
        int maxInFlight = Integer.parseInt(args.string("max-in-flight", DEFAULTS.get("max-in-flight")));
        java.util.concurrent.ExecutorService workers = java.util.concurrent.Executors.newFixedThreadPool(maxInFlight,
                runnable -> {
                    Thread thread = new Thread(runnable, "bench-client");
                    thread.setDaemon(true);
                    return thread;
                });
        try (RawHttp http = new RawHttp(args.string("url", DEFAULTS.get("url")), args.required("key"), maxInFlight,
                30_000);
             LagSampler lag = new LagSampler(args.required("jdbc"), args.string("db-user", "bench"),
                     args.string("db-password", "bench"), "payment-intents",
                     Args.parseDuration(args.string("lag-interval", DEFAULTS.get("lag-interval")))).start();
             ProcessSampler machine = new ProcessSampler(args.longValue("service-pid", -1),
                     args.string("pg-pid-file", null) == null ? null : Path.of(args.string("pg-pid-file", null)))
                     .start()) {
            Scenarios scenarios = new Scenarios(http, workers,
                    !"false".equals(args.string("keyed", DEFAULTS.get("keyed"))));
            LoadRun run = new LoadRun(args, scenarios, lag, machine);
            run.plan();
            Results results = new Results(started, Instant.now().toString(), settings, run.steps);
            JSON.writeValue(out.resolve("load.json").toFile(), results);
            System.out.println("wrote " + out.resolve("load.json"));
        } finally {
            workers.shutdownNow();
        }
    }

    private void plan() throws Exception {
        // warm-up: JIT, connection pools, and intents for retrieve to read; one step per scenario listed, so that
        // the first fixed step measures compiled code, not the JIT compiling it on the same two cores
        for (String spec : args.string("warmup", DEFAULTS.get("warmup")).split(",")) {
            if (spec.isBlank()) {
                continue;
            }
            String[] warmup = spec.split(":");
            step("warmup", warmup[0], Double.parseDouble(warmup[1]), Args.parseDuration(warmup[2]));
        }
        for (String spec : args.string("fixed", DEFAULTS.get("fixed"))
                .split(",")) {
            if (spec.isBlank()) {
                continue;
            }
            String[] p = spec.split(":");
            step("fixed", p[0], Double.parseDouble(p[1]), Args.parseDuration(p[2]));
        }
        double factor = Double.parseDouble(args.string("ramp-factor", DEFAULTS.get("ramp-factor")));
        Duration stepLength = Args.parseDuration(args.string("ramp-step", DEFAULTS.get("ramp-step")));
        int maxSteps = Integer.parseInt(args.string("ramp-max-steps", DEFAULTS.get("ramp-max-steps")));
        for (String spec : args.string("ramps", DEFAULTS.get("ramps")).split(",")) {
            if (spec.isBlank()) {
                continue;
            }
            String[] p = spec.split(":");
            double rate = Double.parseDouble(p[1]);
            for (int i = 0; i < maxSteps; i++) {
                StepResult result = step("ramp", p[0], rate, stepLength);
                if (!result.healthy()) {
                    break;
                }
                rate = Math.round(rate * factor);
            }
        }
    }

    private StepResult step(String phase, String scenario, double rate, Duration duration) throws Exception {
        if (!lag.awaitCaughtUp(Duration.ofSeconds(60))) {
            System.out.println("  (the projection had not caught up after 60 s; starting anyway)");
        }
        Thread.sleep(1_000);
        lag.takeSnapshot();
        machine.memory();
        ProcessSampler.Cpu before = machine.cpu();
        String startedAt = Instant.now().toString();
        OpenLoop.Outcome outcome = OpenLoop.run(rate, duration, maxInFlight, drain, scenarios.byName(scenario));
        ProcessSampler.Cpu after = machine.cpu();
        LagSampler.Snapshot lagged = lag.takeSnapshot();
        ProcessSampler.Memory memory = machine.memory();
        double seconds = duration.toNanos() / 1e9;
        Map<String, OpResult> ops = new LinkedHashMap<>();
        outcome.stats().ops().forEach((label, op) -> {
            Histogram h = op.latency;
            Map<String, Long> errors = new LinkedHashMap<>();
            op.errors.forEach((k, v) -> errors.put(k, v.sum()));
            ops.put(label, new OpResult(h.getTotalCount(), op.ok.sum(), op.okInWindow.sum(),
                    op.okInWindow.sum() / seconds, errors, ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9),
                    h.getMaxValue() / 1000.0, h.getMean() / 1000.0));
        });
        double[] cores = after.coresSince(before);
        Histogram lm = lagged.millis();
        Histogram le = lagged.events();
        LagResult lagResult = new LagResult(lm.getTotalCount(), lm.getValueAtPercentile(50),
                lm.getValueAtPercentile(99), lm.getMaxValue(), le.getValueAtPercentile(50),
                le.getValueAtPercentile(99), le.getMaxValue(), lagged.failures());
        OpResult main = ops.get(scenario);
        boolean healthy = main != null && outcome.drained()
                && errorsOf(ops) <= 0.01 * Math.max(1, outcome.scheduled())
                && main.p99() <= explodeP99Millis && main.achievedPerSecond() >= 0.9 * rate;
        StepResult result = new StepResult(phase, scenario, rate, seconds, outcome.scheduled(), ops, lagResult,
                cores[0], cores[1], cores[2], cores[3], memory, outcome.drained(), outcome.sendLagMaxMillis(),
                healthy, startedAt);
        steps.add(result);
        System.out.println(line(result));
        return result;
    }

    private static long errorsOf(Map<String, OpResult> ops) {
        return ops.entrySet().stream().filter(e -> !e.getKey().equals("pair"))
                .mapToLong(e -> e.getValue().errors().values().stream().mapToLong(Long::longValue).sum()).sum();
    }

    private static double ms(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1000.0;
    }

    private static double perOp(double cores, OpResult op) {
        return op == null || op.achievedPerSecond() <= 0 ? 0 : 1000 * cores / op.achievedPerSecond();
    }

    static String line(StepResult r) {
        OpResult m = r.main();
        return String.format(Locale.ROOT, "%-6s %-8s offered %7.1f/s achieved %7.1f/s  ok %6d err %5d  "
                        + "p50 %7.1f p99 %8.1f p99.9 %8.1f max %8.1f ms  lag p99 %5.0f ms  cpu svc %.2f pg %.2f gen %.2f "
                        + "all %.2f (svc %.2f pg %.2f ms/op)  rss %.0f MB heap %.0f MB%s",
                r.phase(), r.scenario(), r.offeredRate(), m == null ? 0 : m.achievedPerSecond(), m == null ? 0 : m.ok(),
                errorsOf(r.ops()), m == null ? 0 : m.p50(), m == null ? 0 : m.p99(), m == null ? 0 : m.p999(),
                m == null ? 0 : m.max(), r.lag().p99Ms(), r.serviceCores(), r.postgresCores(), r.generatorCores(),
                r.machineCores(), perOp(r.serviceCores(), m), perOp(r.postgresCores(), m), r.memory().maxRssMb(),
                r.memory().maxHeapUsedMb(),
                r.healthy() ? "" : "  ** over the limit");
    }
}
