package io.paymentintents.benchmark;

final class Consistency {
    static int main(Args args) throws Exception {
        throw new UnsupportedOperationException("todo");
    }
}
