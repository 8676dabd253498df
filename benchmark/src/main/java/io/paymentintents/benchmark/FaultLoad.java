package io.paymentintents.benchmark;

final class FaultLoad {
    static void main(Args args) throws Exception {
        throw new UnsupportedOperationException("todo");
    }
}
