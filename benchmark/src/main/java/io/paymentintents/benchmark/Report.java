package io.paymentintents.benchmark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code report}: the Markdown report of one {@code bench/run-load.sh} run, from {@code load.json} (the service), the
 * pgbench results ({@code pgbench.tsv}: script, clients, tps, average latency, failed) and the environment the script
 * recorded ({@code env.txt}, {@code name=value} lines).
 */
final class Report {

    private Report() {
    }

    static void main(Args args) throws Exception {
        LoadRun.Results results = LoadRun.JSON.readValue(Path.of(args.required("load")).toFile(),
                LoadRun.Results.class);
        Map<String, String> env = new LinkedHashMap<>();
        Path envFile = Path.of(args.string("env", "env.txt"));
        if (Files.exists(envFile)) {
            for (String line : Files.readAllLines(envFile)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    env.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        }
        List<String[]> pgbench = new ArrayList<>();
        Path pgbenchFile = Path.of(args.string("pgbench", "pgbench.tsv"));
        if (Files.exists(pgbenchFile)) {
            for (String line : Files.readAllLines(pgbenchFile)) {
                if (!line.isBlank()) {
                    pgbench.add(line.split("\t"));
                }
            }
        }
        String markdown = render(results, env, pgbench, args.string("same-shape", "transactional"),
                args.decimal("target-p99", 50), args.decimal("target-ratio", 0.60),
                args.decimal("target-lag-p99", 1000));
        Files.writeString(Path.of(args.required("out")), markdown);
        System.out.println(markdown);
    }

    private static String f(double value) {
        if (Double.isNaN(value)) {
            return "–";
        }
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }

    /** The best pgbench tps of a shape and script over all client counts. */
    private static double ceiling(List<String[]> pgbench, String shape, String script) {
        return pgbench.stream().filter(r -> r[0].equals(shape) && r[1].equals(script))
                .mapToDouble(r -> Double.parseDouble(r[3])).max().orElse(Double.NaN);
    }

    static String render(LoadRun.Results results, Map<String, String> env, List<String[]> pgbench, String sameShape,
                         double targetP99, double targetRatio, double targetLagP99) {
        StringBuilder md = new StringBuilder();
        md.append("# Load benchmark: ").append(env.getOrDefault("label", "run")).append("\n\n");
        md.append("| | |\n|---|---|\n");
        env.forEach((k, v) -> {
            if (!k.equals("label")) {
                md.append("| ").append(k).append(" | ").append(v.replace("|", "\\|")).append(" |\n");
            }
        });
        md.append("| load started / finished | ").append(results.startedAt()).append(" / ")
                .append(results.finishedAt()).append(" |\n\n");

        // targets
        Optional<LoadRun.StepResult> create200 = results.steps().stream()
                .filter(s -> s.phase().equals("fixed") && s.scenario().equals("create")).findFirst();
        double pairSaturation = saturation(results, "pair");
        double ceiling = ceiling(pgbench, sameShape, "pair");
        md.append("## Targets\n\n| target | measured | |\n|---|---|---|\n");
        double ratio = pairSaturation / ceiling;
        md.append("| create+confirm pairs/s at saturation ≥ ").append(f(targetRatio * 100))
                .append(" % of the same-shape pgbench ceiling (").append(sameShape).append(") | ")
                .append(f(pairSaturation)).append(" pairs/s of ").append(f(ceiling)).append(" = **")
                .append(f(ratio * 100)).append(" %** | ")
                .append(verdict(ratio >= targetRatio, ratio * 100 - targetRatio * 100, " points")).append(" |\n");
        pgbench.stream().map(r -> r[0]).distinct().filter(shape -> !shape.equals(sameShape)).forEach(shape -> {
            double other = ceiling(pgbench, shape, "pair");
            md.append("| (the same against the ").append(shape).append(" shape) | ").append(f(pairSaturation))
                    .append(" pairs/s of ").append(f(other)).append(" = ").append(f(100 * pairSaturation / other))
                    .append(" % | ").append(pairSaturation / other >= targetRatio ? "≥" : "<").append(" ")
                    .append(f(targetRatio * 100)).append(" % |\n");
        });
        create200.ifPresent(s -> {
            LoadRun.OpResult c = s.ops().get("create");
            md.append("| p99 < ").append(f(targetP99)).append(" ms for create at ").append(f(s.offeredRate()))
                    .append("/s | **").append(f(c.p99())).append(" ms** (p50 ").append(f(c.p50())).append(", p99.9 ")
                    .append(f(c.p999())).append(") | ").append(verdict(c.p99() < targetP99, c.p99() - targetP99,
                            " ms")).append(" |\n");
            md.append("| projection lag p99 < ").append(f(targetLagP99)).append(" ms at that rate | **")
                    .append(f(s.lag().p99Ms())).append(" ms** (p50 ").append(f(s.lag().p50Ms())).append(", max ")
                    .append(f(s.lag().maxMs())).append("; ").append(s.lag().samples()).append(" samples) | ")
                    .append(verdict(s.lag().p99Ms() < targetLagP99, s.lag().p99Ms() - targetLagP99, " ms"))
                    .append(" |\n");
        });
        md.append("\n");

        md.append("## Fixed rates\n\nLatency in ms from the intended send time (corrected for coordinated omission). "
                + "CPU in cores of the machine's ").append(env.getOrDefault("nproc", "?"))
                .append(", averaged over the step: the service's JVM, PostgreSQL, this load generator, and the whole "
                        + "machine (which includes other users' processes). CPU ms per op: the service's and "
                        + "PostgreSQL's CPU time per successful operation of that row (for a pair: per pair).\n\n");
        table(md, results.steps().stream().filter(s -> !s.phase().equals("ramp")).toList());

        md.append("\n## Saturation (ramps)\n\nEach step ").append(results.settings().getOrDefault("ramp-step", "20s"))
                .append(" long; a ramp stops at the first step with > 1 % errors, p99 > ")
                .append(results.settings().getOrDefault("explode-p99", "1000")).append(" ms, "
                        + "< 90 % of the offered rate achieved, or requests outstanding after the step.\n\n");
        md.append("| scenario | highest rate held (offered → achieved, p99) | peak achieved | first step over the "
                + "limit |\n|---|---|---:|---|\n");
        for (String scenario : List.of("pair", "create", "retrieve", "list")) {
            List<LoadRun.StepResult> ramp = results.steps().stream()
                    .filter(s -> s.phase().equals("ramp") && s.scenario().equals(scenario)).toList();
            if (ramp.isEmpty()) {
                continue;
            }
            Optional<LoadRun.StepResult> held = ramp.stream().filter(LoadRun.StepResult::healthy)
                    .reduce((a, b) -> b);
            Optional<LoadRun.StepResult> over = ramp.stream().filter(s -> !s.healthy()).findFirst();
            md.append("| ").append(scenario).append(" | ").append(held.map(s -> f(s.offeredRate()) + "/s → "
                            + f(s.main().achievedPerSecond()) + "/s, p99 " + f(s.main().p99()) + " ms").orElse("none"))
                    .append(" | ").append(f(saturation(results, scenario))).append("/s | ")
                    .append(over.map(s -> f(s.offeredRate()) + "/s: achieved " + f(s.main() == null ? 0
                            : s.main().achievedPerSecond()) + "/s, p99 " + f(s.main() == null ? 0 : s.main().p99())
                            + " ms, " + errors(s) + " errors").orElse("none (ramp ended)")).append(" |\n");
        }
        md.append("\nEvery ramp step:\n\n");
        table(md, results.steps().stream().filter(s -> s.phase().equals("ramp")).toList());

        if (!pgbench.isEmpty()) {
            md.append("\n## Ceiling: pgbench, the same statements as the service (scripts in the run directory)\n\n")
                    .append("| shape | script | clients | tps (creates/s or pairs/s) | avg latency ms | failed |\n")
                    .append("|---|---|---:|---:|---:|---:|\n");
            for (String[] r : pgbench) {
                md.append("| ").append(String.join(" | ", r)).append(" |\n");
            }
            md.append("\nService at saturation against the best of each shape:\n\n");
            pgbench.stream().map(r -> r[0]).distinct().forEach(shape -> {
                double createCeiling = ceiling(pgbench, shape, "create");
                double pairCeiling = ceiling(pgbench, shape, "pair");
                md.append("- ").append(shape).append(": creates ").append(f(saturation(results, "create")))
                        .append("/s of ").append(f(createCeiling)).append(" (")
                        .append(f(100 * saturation(results, "create") / createCeiling)).append(" %); pairs ")
                        .append(f(pairSaturation)).append("/s of ").append(f(pairCeiling)).append(" (")
                        .append(f(100 * pairSaturation / pairCeiling)).append(" %)\n");
            });
        }
        md.append("\n## Memory of the service\n\n");
        double maxRss = results.steps().stream().mapToDouble(s -> s.memory().maxRssMb()).max().orElse(-1);
        double maxHeap = results.steps().stream().mapToDouble(s -> s.memory().maxHeapUsedMb()).max().orElse(-1);
        LoadRun.StepResult last = results.steps().get(results.steps().size() - 1);
        md.append("Resident set size at most ").append(f(maxRss)).append(" MB (").append(f(last.memory().rssMb()))
                .append(" MB at the end); heap used at most ").append(f(maxHeap)).append(" MB, committed ")
                .append(f(last.memory().heapCommittedMb())).append(" MB at the end (jstat -gc, once a second).\n");
        return md.toString();
    }

    private static String verdict(boolean met, double by, String unit) {
        return met ? "met" : "**missed** by " + f(Math.abs(by)) + unit;
    }

    private static long errors(LoadRun.StepResult s) {
        return s.ops().entrySet().stream().filter(e -> !e.getKey().equals("pair"))
                .mapToLong(e -> e.getValue().errors().values().stream().mapToLong(Long::longValue).sum()).sum();
    }

    /** The highest throughput (successes in the sending window per second) any step of the scenario achieved. */
    static double saturation(LoadRun.Results results, String scenario) {
        return results.steps().stream().filter(s -> s.phase().equals("ramp") && s.scenario().equals(scenario))
                .mapToDouble(s -> s.main() == null ? 0 : s.main().achievedPerSecond()).max().orElse(Double.NaN);
    }

    private static void table(StringBuilder md, List<LoadRun.StepResult> steps) {
        md.append("| phase | scenario | op | offered /s | achieved /s | ok | errors | p50 | p90 | p99 | p99.9 | max "
                + "| lag p50 / p99 / max ms | lag events p99 | cpu svc / pg / gen / all | CPU ms per op svc / pg "
                + "| RSS MB | heap MB |\n")
                .append("|---|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|---:|---|---|---:|---:|\n");
        for (LoadRun.StepResult s : steps) {
            for (Map.Entry<String, LoadRun.OpResult> e : s.ops().entrySet()) {
                LoadRun.OpResult o = e.getValue();
                md.append("| ").append(s.phase()).append(" | ").append(s.scenario()).append(" | ").append(e.getKey())
                        .append(" | ").append(f(s.offeredRate())).append(" | ").append(f(o.achievedPerSecond()))
                        .append(" | ").append(o.ok()).append(" | ")
                        .append(o.errors().isEmpty() ? "0" : o.errors().toString().replace("|", "/"))
                        .append(" | ").append(f(o.p50())).append(" | ").append(f(o.p90())).append(" | ")
                        .append(f(o.p99())).append(" | ").append(f(o.p999())).append(" | ").append(f(o.max()))
                        .append(" | ").append(f(s.lag().p50Ms())).append(" / ").append(f(s.lag().p99Ms()))
                        .append(" / ").append(f(s.lag().maxMs())).append(" | ").append(f(s.lag().eventsP99()))
                        .append(" | ").append(String.format(Locale.ROOT, "%.2f / %.2f / %.2f / %.2f",
                                s.serviceCores(), s.postgresCores(), s.generatorCores(), s.machineCores()))
                        .append(" | ").append(String.format(Locale.ROOT, "%.2f / %.2f",
                                1000 * s.serviceCores() / Math.max(1e-9, o.achievedPerSecond()),
                                1000 * s.postgresCores() / Math.max(1e-9, o.achievedPerSecond())))
                        .append(" | ").append(f(s.memory().maxRssMb())).append(" | ")
                        .append(f(s.memory().maxHeapUsedMb())).append(" |\n");
            }
        }
    }
}
