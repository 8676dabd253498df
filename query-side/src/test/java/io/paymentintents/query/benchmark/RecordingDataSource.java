package io.paymentintents.query.benchmark;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * A DataSource over the pool that, while {@link #record} is running, notes every SQL string the code under test
 * prepares and every value it binds, exactly as they reach the JDBC driver. The benchmark replays those statements
 * (same text, same setter calls) under {@code EXPLAIN (ANALYZE, BUFFERS)}, so the plans shown are the plans of the
 * SQL the application really sends, not of a hand-copied version of it.
 *
 * <p>Outside {@link #record} it hands out the pool's connections unwrapped: timed iterations pay nothing for it.
 */
final class RecordingDataSource implements DataSource {

    /** One setter call on a prepared statement, e.g. {@code setString(1, "acct_bench_large")}. */
    record Bind(Method setter, Object[] args) {

        int index() {
            return (Integer) args[0];
        }

        Object value() {
            return args.length > 1 ? args[1] : null;
        }

        /** The PostgreSQL type the driver sends for this bind (pgjdbc defaults: String as varchar). */
        String pgType() {
            Object value = value();
            if (setter.getName().equals("setString") || value instanceof String) {
                return "varchar";
            }
            if (value instanceof Long || setter.getName().equals("setLong")) {
                return "bigint";
            }
            if (value instanceof Integer || setter.getName().equals("setInt")) {
                return "integer";
            }
            throw new IllegalStateException("unexpected bind " + setter.getName() + " " + value);
        }

        String literal() {
            Object value = value();
            if (value == null) {
                return "NULL";
            }
            return value instanceof String s ? "'" + s.replace("'", "''") + "'" : value.toString();
        }

        void applyTo(PreparedStatement statement) throws SQLException {
            try {
                setter.invoke(statement, args);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof SQLException sql) {
                    throw sql;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    /** A statement as prepared and bound by the code under test. */
    record Recorded(String sql, List<Bind> binds) {

        void bind(PreparedStatement statement) throws SQLException {
            for (Bind bind : binds) {
                bind.applyTo(statement);
            }
        }

        /** The SQL with PostgreSQL's {@code $n} placeholders, as pgjdbc sends it and pg_prepared_statements shows it. */
        String numberedSql() {
            StringBuilder out = new StringBuilder();
            int n = 0;
            for (char c : sql.toCharArray()) {
                if (c == '?') {
                    out.append('$').append(++n);
                } else {
                    out.append(c);
                }
            }
            return out.toString();
        }

        String bindsDescription() {
            List<String> parts = new ArrayList<>();
            for (Bind bind : binds) {
                parts.add("$" + bind.index() + " = " + bind.literal() + " (" + bind.pgType() + ")");
            }
            return String.join(", ", parts);
        }
    }

    private final DataSource pool;
    private volatile List<Recorded> recording;

    RecordingDataSource(DataSource pool) {
        this.pool = pool;
    }

    /** Runs {@code work} and returns every statement it prepared, in order. Not reentrant; one thread at a time. */
    synchronized List<Recorded> record(Runnable work) {
        List<Recorded> statements = new ArrayList<>();
        recording = statements;
        try {
            work.run();
        } finally {
            recording = null;
        }
        return List.copyOf(statements);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return wrap(pool.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return wrap(pool.getConnection(username, password));
    }

    private Connection wrap(Connection connection) {
        List<Recorded> statements = recording;
        if (statements == null) {
            return connection;
        }
        InvocationHandler handler = (proxy, method, args) -> {
            Object result = invoke(connection, method, args);
            if (method.getName().equals("prepareStatement") && args != null && args[0] instanceof String sql) {
                List<Bind> binds = new ArrayList<>();
                statements.add(new Recorded(sql, binds));
                return recordingStatement((PreparedStatement) result, binds);
            }
            return result;
        };
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Connection.class},
                handler);
    }

    private static PreparedStatement recordingStatement(PreparedStatement statement, List<Bind> binds) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().startsWith("set") && args != null && args.length >= 2
                    && args[0] instanceof Integer) {
                binds.add(new Bind(method, args.clone()));
            }
            return invoke(statement, method, args);
        };
        return (PreparedStatement) Proxy.newProxyInstance(RecordingDataSource.class.getClassLoader(),
                new Class<?>[]{PreparedStatement.class}, handler);
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : pool.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || pool.isWrapperFor(iface);
    }
}
