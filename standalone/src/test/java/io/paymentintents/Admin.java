package io.paymentintents;

import io.paymentintents.standalone.admin.AdminCommand;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The operator command, run in-process against the tests' database (as with SPRING_DATASOURCE_URL). */
final class Admin {

    record Run(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Admin() {
    }

    static Run run(EmbeddedPostgres postgres, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"));
        all.add("--spring.datasource.username=postgres");
        return runWith(all.toArray(String[]::new));
    }

    static Run runWith(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = AdminCommand.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
