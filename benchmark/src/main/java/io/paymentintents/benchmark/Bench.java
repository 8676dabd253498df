package io.paymentintents.benchmark;

/**
 * The benchmark's command line: {@code java -jar benchmark/target/benchmark-*-exec.jar <command> --name=value ...}.
 * The scripts in {@code bench/} call it; docs/benchmarks.md describes the runs.
 *
 * <ul>
 * <li>{@code load}: the load plan (fixed-rate steps and ramps) against a running service: {@link LoadRun};</li>
 * <li>{@code pgbench-scripts}: pgbench scripts of the same shape as one create and one create+confirm, with payloads
 * taken from the service's own event store: {@link PgbenchScripts};</li>
 * <li>{@code report}: the report (Markdown) from a load run and the pgbench results: {@link Report};</li>
 * <li>{@code fault-load}: keyed clients that retry until answered, writing a ledger of what was acknowledged:
 * {@link FaultLoad};</li>
 * <li>{@code check}: the ledger, the event store and the read model held against each other: {@link Consistency};</li>
 * <li>{@code hold-gap}: an event-store transaction held open across the processor's gap timeout: {@link GapHold};</li>
 * <li>{@code jfr}: where the CPU went, from a JFR recording of the service: {@link JfrSummary}.</li>
 * </ul>
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] arguments) throws Exception {
        if (arguments.length == 0) {
            System.err.println("usage: Bench load|pgbench-scripts|report|fault-load|check|hold-gap --name=value ...");
            System.exit(2);
        }
        Args args = new Args(arguments, 1);
        switch (arguments[0]) {
            case "load" -> LoadRun.main(args);
            case "pgbench-scripts" -> PgbenchScripts.main(args);
            case "report" -> Report.main(args);
            case "fault-load" -> FaultLoad.main(args);
            case "check" -> System.exit(Consistency.main(args));
            case "hold-gap" -> System.exit(GapHold.main(args));
            case "jfr" -> JfrSummary.main(args);
            default -> {
                System.err.println("unknown command " + arguments[0]);
                System.exit(2);
            }
        }
    }
}
