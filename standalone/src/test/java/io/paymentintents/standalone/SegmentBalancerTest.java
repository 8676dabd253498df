package io.paymentintents.standalone;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The balancer's shares: every segment belongs to one share, and the shares differ by one at most. */
class SegmentBalancerTest {

    private static final List<String> THREE = List.of("101@a", "202@b", "303@c");

    @Test
    void theSharesAddUpToTheSegmentsAndDifferByOneAtMost() {
        for (int segments = 1; segments <= 9; segments++) {
            for (String processor : List.of("payment-intents", "stripe-events", "webhooks")) {
                int total = 0;
                for (String node : THREE) {
                    int quota = SegmentBalancer.quota(processor, segments, THREE, node);
                    assertThat(quota).isBetween(segments / 3, segments / 3 + 1);
                    total += quota;
                }
                assertThat(total).as("%s with %d segments", processor, segments).isEqualTo(segments);
            }
        }
    }

    @Test
    void aLoneNodeHoldsEverySegment() {
        assertThat(SegmentBalancer.quota("payment-intents", 4, List.of("101@a"), "101@a")).isEqualTo(4);
    }

    @Test
    void singleSegmentProcessorsAreSpreadOverTheNodes() {
        long nodesWithOne = THREE.stream().filter(node -> List.of("payment-intents", "stripe-events", "webhooks")
                .stream().anyMatch(processor -> SegmentBalancer.quota(processor, 1, THREE, node) == 1)).count();
        assertThat(nodesWithOne).as("nodes holding one of three single-segment processors").isGreaterThan(1);
    }
}
