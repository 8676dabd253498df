package io.paymentintents.benchmark;

final class GapHold {
    static int main(Args args) throws Exception {
        throw new UnsupportedOperationException("todo");
    }
}
