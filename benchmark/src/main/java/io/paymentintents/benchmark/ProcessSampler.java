package io.paymentintents.benchmark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The machine while a step runs: CPU time of the service's JVM, of PostgreSQL (the postmaster and its children), of
 * this generator, and of the whole machine (from /proc); the service's resident set size; and its heap, as
 * {@code jstat -gc <pid> 1000} prints it once a second.
 */
final class ProcessSampler implements AutoCloseable {

    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private final long servicePid;
    private final Path postmasterPidFile;
    private Process jstat;
    private Thread reader;
    private volatile double heapUsedMb = -1;
    private volatile double heapCommittedMb = -1;
    private double maxHeapUsedMb = -1;
    private double maxRssMb = -1;
    private final Thread rssThread;
    private volatile boolean running = true;

    ProcessSampler(long servicePid, Path postmasterPidFile) {
        this.servicePid = servicePid;
        this.postmasterPidFile = postmasterPidFile;
        this.rssThread = new Thread(() -> {
            while (running) {
                sampleRss();
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rss-sampler");
        this.rssThread.setDaemon(true);
    }

    ProcessSampler start() {
        if (servicePid > 0) {
            rssThread.start();
            try {
                Path jstatPath = Path.of(System.getProperty("java.home"), "bin", "jstat");
                jstat = new ProcessBuilder(jstatPath.toString(), "-gc", Long.toString(servicePid), "1000")
                        .redirectErrorStream(true).start();
                reader = new Thread(this::readJstat, "jstat-reader");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                System.err.println("no heap figures: jstat did not start: " + e.getMessage());
            }
        }
        return this;
    }

    private void readJstat() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(jstat.getInputStream(),
                StandardCharsets.UTF_8))) {
            List<String> header = null;
            String line;
            while ((line = lines.readLine()) != null) {
                List<String> cells = Arrays.asList(line.trim().split("\\s+"));
                if (cells.contains("EU")) {
                    header = cells;
                    continue;
                }
                if (header == null || cells.size() != header.size()) {
                    continue;
                }
                try {
                    double used = cell(header, cells, "S0U") + cell(header, cells, "S1U") + cell(header, cells, "EU")
                            + cell(header, cells, "OU");
                    double committed = cell(header, cells, "S0C") + cell(header, cells, "S1C")
                            + cell(header, cells, "EC") + cell(header, cells, "OC");
                    heapUsedMb = used / 1024;
                    heapCommittedMb = committed / 1024;
                    synchronized (this) {
                        maxHeapUsedMb = Math.max(maxHeapUsedMb, heapUsedMb);
                    }
                } catch (NumberFormatException e) {
                    // a line that is not a sample
                }
            }
        } catch (IOException e) {
            // jstat ended
        }
    }

    private static double cell(List<String> header, List<String> cells, String name) {
        int i = header.indexOf(name);
        return i < 0 ? 0 : Double.parseDouble(cells.get(i));
    }

    private void sampleRss() {
        double rss = rssMb(servicePid);
        if (rss >= 0) {
            synchronized (this) {
                maxRssMb = Math.max(maxRssMb, rss);
            }
        }
    }

    static double rssMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone
        }
        return -1;
    }

    /** Memory now and at most since the last call. */
    synchronized Memory memory() {
        Memory memory = new Memory(rssMb(servicePid), maxRssMb, heapUsedMb, maxHeapUsedMb, heapCommittedMb);
        maxRssMb = memory.rssMb();
        maxHeapUsedMb = heapUsedMb;
        return memory;
    }

    record Memory(double rssMb, double maxRssMb, double heapUsedMb, double maxHeapUsedMb, double heapCommittedMb) {
    }

    /** Cumulative CPU seconds: service, PostgreSQL, this generator, whole machine busy, whole machine total. */
    Cpu cpu() {
        double machineBusy = 0;
        double machineTotal = 0;
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            for (int i = 1; i < f.length && i <= 8; i++) {
                double ticks = Double.parseDouble(f[i]);
                machineTotal += ticks;
                if (i != 4 && i != 5) { // idle, iowait
                    machineBusy += ticks;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return new Cpu(cpuSeconds(servicePid), postgresCpuSeconds(), cpuSeconds(ProcessHandle.current().pid()),
                machineBusy / TICKS_PER_SECOND, machineTotal / TICKS_PER_SECOND, System.nanoTime());
    }

    record Cpu(double service, double postgres, double generator, double machineBusy, double machineTotal,
               long atNanos) {
        /** Cores used between {@code before} and this: service, postgres, generator, machine (busy). */
        double[] coresSince(Cpu before) {
            double seconds = (atNanos - before.atNanos) / 1e9;
            return new double[]{(service - before.service) / seconds, (postgres - before.postgres) / seconds,
                    (generator - before.generator) / seconds, (machineBusy - before.machineBusy) / seconds};
        }
    }

    static double cpuSeconds(long pid) {
        if (pid <= 0) {
            return 0;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields 14 and 15 (utime, stime) of proc(5); f[0] is field 3
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static double reapedChildrenCpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[13]) + Long.parseLong(f[14])) / (double) TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private double postgresCpuSeconds() {
        if (postmasterPidFile == null) {
            return 0;
        }
        try {
            long postmaster = Long.parseLong(Files.readAllLines(postmasterPidFile).get(0).trim());
            // the postmaster's own time plus that of its children that have ended (cutime, cstime), plus the live ones
            double total = cpuSeconds(postmaster) + reapedChildrenCpuSeconds(postmaster);
            List<Long> children = new ArrayList<>();
            try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
                processes.filter(p -> p.getFileName().toString().matches("\\d+")).forEach(p -> {
                    try {
                        String stat = Files.readString(p.resolve("stat"));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        if (Long.parseLong(f[1]) == postmaster) {
                            children.add(Long.parseLong(p.getFileName().toString()));
                        }
                    } catch (IOException | RuntimeException e) {
                        // ended meanwhile
                    }
                });
            }
            for (long child : children) {
                total += cpuSeconds(child);
            }
            return total;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        running = false;
        if (jstat != null) {
            jstat.destroy();
        }
    }
}
