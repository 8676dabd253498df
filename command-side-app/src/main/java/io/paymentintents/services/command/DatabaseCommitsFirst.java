package io.paymentintents.services.command;

import org.axonframework.common.transaction.Transaction;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A command writes to two stores here: its events go to Axon Server, the deadlines it schedules to PostgreSQL
 * ({@code scheduled_tasks}, in the transaction this manager starts). No transaction spans both, so one of them
 * commits first, and a crash (or a failed commit) between the two leaves only the first.
 *
 * <p>Axon commits the unit of work's handlers in reverse order of registration: Axon Server's append, registered
 * while the events are prepared, would commit before the PostgreSQL transaction attached when the command arrived.
 * A crash in between would leave events without their deadline: a bank payment that never settles, a hold that is
 * never released. This manager commits PostgreSQL instead at the very end of the prepare-commit phase, after every
 * deadline was written and the events were handed to the event store, and before Axon Server's append is committed.
 * The window that remains leaves a deadline without its events, which is harmless: each deadline handler acts only
 * while the intent still waits for the charge the deadline names, so it then finds nothing to do.
 *
 * <p>It is the transaction manager of the command bus only. A deadline handler runs in a unit of work of Axon's
 * deadline manager, which attaches its transaction before the unit of work starts, so it keeps Axon's order
 * (docs/deployment.md, failure behaviour).
 */
final class DatabaseCommitsFirst implements TransactionManager {

    private final TransactionManager database;

    DatabaseCommitsFirst(TransactionManager database) {
        this.database = database;
    }

    @Override
    public Transaction startTransaction() {
        Transaction transaction = database.startTransaction();
        if (!CurrentUnitOfWork.isStarted() || CurrentUnitOfWork.get().phase() != UnitOfWork.Phase.STARTED) {
            return transaction; // not a command's unit of work being handled: nothing to reorder
        }
        AtomicBoolean committed = new AtomicBoolean();
        // Registered now, this handler runs first in prepare-commit; the one it adds there runs last in that phase.
        CurrentUnitOfWork.get().onPrepareCommit(unitOfWork -> unitOfWork.onPrepareCommit(last -> {
            transaction.commit();
            committed.set(true);
        }));
        return new Transaction() {
            @Override
            public void commit() {
                if (!committed.get()) {
                    transaction.commit();
                }
            }

            @Override
            public void rollback() {
                if (!committed.get()) {
                    transaction.rollback();
                }
            }
        };
    }
}
