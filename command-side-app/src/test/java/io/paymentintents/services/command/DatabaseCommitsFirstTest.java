package io.paymentintents.services.command;

import org.axonframework.common.transaction.Transaction;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.messaging.GenericMessage;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatabaseCommitsFirstTest {

    private final List<String> log = new ArrayList<>();

    private final TransactionManager database = () -> {
        log.add("database begin");
        return new Transaction() {
            @Override
            public void commit() {
                log.add("database commit");
            }

            @Override
            public void rollback() {
                log.add("database rollback");
            }
        };
    };

    @Test
    void postgresCommitsBeforeAxonServer() {
        UnitOfWork<?> unitOfWork = commandUnitOfWork();

        unitOfWork.commit();

        assertThat(log).containsExactly("database begin", "deadline written", "events appended",
                "database commit", "axon server commit");
    }

    @Test
    void withoutItAxonServerWouldCommitFirst() {
        UnitOfWork<?> unitOfWork = commandUnitOfWork(database);

        unitOfWork.commit();

        assertThat(log).endsWith("axon server commit", "database commit");
    }

    @Test
    void axonServerRefusingTheEventsLeavesTheDeadlineCommitted() {
        UnitOfWork<?> unitOfWork = commandUnitOfWork();
        unitOfWork.onCommit(u -> {
            throw new IllegalStateException("sequence number taken");
        });

        assertThatThrownBy(unitOfWork::commit).hasMessage("sequence number taken");

        assertThat(log).containsSubsequence("database commit").doesNotContain("database rollback");
    }

    @Test
    void aRejectedCommandWritesNothing() {
        DefaultUnitOfWork<?> unitOfWork = DefaultUnitOfWork.startAndGet(new GenericMessage<>("command"));
        unitOfWork.attachTransaction(new DatabaseCommitsFirst(database));

        unitOfWork.rollback(new IllegalStateException("rejected"));

        assertThat(log).containsExactly("database begin", "database rollback");
    }

    @Test
    void aTransactionOutsideACommandBeingHandledIsLeftAlone() {
        DefaultUnitOfWork<?> unitOfWork = DefaultUnitOfWork.startAndGet(new GenericMessage<>("command"));
        unitOfWork.afterCommit(u -> new DatabaseCommitsFirst(database).startTransaction().commit());

        unitOfWork.commit();

        assertThat(log).containsExactly("database begin", "database commit");
    }

    /**
     * A command's unit of work as the command bus and Axon Server's event store shape it: the transaction attached
     * first, a deadline written while handling, the events appended in prepare-commit and committed in commit.
     */
    private UnitOfWork<?> commandUnitOfWork() {
        return commandUnitOfWork(new DatabaseCommitsFirst(database));
    }

    private UnitOfWork<?> commandUnitOfWork(TransactionManager transactionManager) {
        DefaultUnitOfWork<?> unitOfWork = DefaultUnitOfWork.startAndGet(new GenericMessage<>("command"));
        unitOfWork.attachTransaction(transactionManager);
        unitOfWork.onPrepareCommit(u -> log.add("deadline written"));
        unitOfWork.onPrepareCommit(u -> {
            log.add("events appended");
            u.onCommit(c -> log.add("axon server commit"));
        });
        return unitOfWork;
    }
}
