package io.paymentintents.standalone;

import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.config.BeanPostProcessor;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs each Flyway migration (the beans whose init method is {@code migrate}) while holding a PostgreSQL advisory
 * lock, so that nodes starting together on a new database migrate one after the other.
 *
 * <p>Each module's Flyway keeps its own history table in the shared schema and baselines it on first use, since the
 * schema is not empty by then. Flyway's baseline is not safe against a second process: one node creates the history
 * table, and another, finding it before the baseline row is in, fails with "Unable to baseline schema history table
 * … as it already exists, and is empty". The lock is taken with {@code pg_try_advisory_lock} in a loop, since every
 * pooled connection has a 10 s statement timeout, and released after the migration, or by PostgreSQL when a failed
 * start closes the pool.
 */
public class MigrationLock implements BeanPostProcessor {

    private static final Logger log = LoggerFactory.getLogger(MigrationLock.class);
    /** Any fixed number; the same on every node. ("paymentI" in ASCII.) */
    private static final long KEY = 0x7061796d656e7449L;
    private static final Duration PATIENCE = Duration.ofMinutes(10);

    private final Map<String, Connection> held = new ConcurrentHashMap<>();

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) throws BeansException {
        if (bean instanceof Flyway flyway) {
            held.put(beanName, lock(flyway.getConfiguration().getDataSource(), beanName));
        }
        return bean;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
        Connection connection = held.remove(beanName);
        if (connection != null) {
            try (connection; Statement statement = connection.createStatement()) {
                statement.execute("SELECT pg_advisory_unlock(" + KEY + ")");
            } catch (SQLException e) {
                log.debug("could not release the migration lock; closing its connection releases it", e);
            }
        }
        return bean;
    }

    /** Runs one migration under the lock, outside Spring (the operator command). */
    public static void migrate(Flyway flyway, String name) {
        MigrationLock lock = new MigrationLock();
        lock.postProcessBeforeInitialization(flyway, name);
        try {
            flyway.migrate();
        } finally {
            lock.postProcessAfterInitialization(flyway, name);
        }
    }

    private static Connection lock(DataSource dataSource, String beanName) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        try {
            Connection connection = dataSource.getConnection();
            try (Statement statement = connection.createStatement()) {
                while (true) {
                    try (ResultSet locked = statement.executeQuery("SELECT pg_try_advisory_lock(" + KEY + ")")) {
                        locked.next();
                        if (locked.getBoolean(1)) {
                            return connection;
                        }
                    }
                    if (System.nanoTime() > deadline) {
                        connection.close();
                        throw new BeanInitializationException("another node has been migrating the database for "
                                + PATIENCE.toMinutes() + " minutes; " + beanName + " did not run");
                    }
                    Thread.sleep(100);
                }
            } catch (SQLException | RuntimeException | InterruptedException e) {
                connection.close();
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BeanInitializationException("interrupted while waiting to migrate " + beanName, e);
        } catch (SQLException e) {
            throw new BeanInitializationException("could not take the migration lock for " + beanName, e);
        }
    }
}
