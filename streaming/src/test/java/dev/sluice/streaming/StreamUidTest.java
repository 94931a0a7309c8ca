package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Pair;
import dev.sluice.streaming.dstream.DStreamNode;
import dev.sluice.streaming.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Stable identities of streams: explicit uids, and derived ones that stateless operators do not shift. */
class StreamUidTest {

    private static StreamingContext context() {
        return StreamingContext.builder().batchInterval(Duration.ofSeconds(1)).clock(new ManualClock()).build();
    }

    private static List<String> uids(StreamingContext ssc) {
        return ssc.runtime().graph().uids().values().stream().toList();
    }

    private static PairDStream<String, Integer> counts(DStream<String> words) {
        return PairDStream.of(words.mapToPair(w -> Pair.of(w, 1)))
                .updateStateByKey((List<Integer> vs, Optional<Integer> s) -> Optional.of(s.orElse(0) + vs.size()));
    }

    @Test
    void derivedUids_countOnlyInputStatefulAndWindowedStreams_soAddingAMapChangesNone() {
        try (StreamingContext plain = context(); StreamingContext withMaps = context()) {
            counts(plain.listStream(List.<List<String>>of())).window(Duration.ofSeconds(2)).print();
            counts(withMaps.listStream(List.<List<String>>of()).map(String::trim).filter(w -> !w.isEmpty()))
                    .mapValues(v -> v).window(Duration.ofSeconds(2)).print();

            assertThat(uids(plain)).containsExactly("list-input-0", "update-state-by-key-1", "window-2");
            assertThat(uids(withMaps)).isEqualTo(uids(plain));
        }
    }

    @Test
    void explicitUid_replacesTheDerivedOne_andMapWithStateNamesItsStateNode() {
        try (StreamingContext ssc = context()) {
            PairDStream<String, Integer> pairs = PairDStream.of(ssc.listStream(List.<List<String>>of()).uid("words")
                    .mapToPair(w -> Pair.of(w, 1)));
            pairs.mapWithState(StateSpec.<String, Integer, Integer, Integer>function((k, v, s) -> 1)).uid("sessions")
                    .print();

            assertThat(uids(ssc)).containsExactly("words", "sessions");
            DStreamNode<?> state = ssc.runtime().graph().uids().entrySet().stream()
                    .filter(e -> e.getValue().equals("sessions")).findFirst().orElseThrow().getKey();
            assertThat(state.isStateful()).as("the uid is on the state node, not on its outputs").isTrue();
        }
    }

    @Test
    void duplicateOrBlankUids_areRefused() {
        try (StreamingContext ssc = context()) {
            counts(ssc.listStream(List.<List<String>>of()).uid("same")).uid("same").print();
            assertThatThrownBy(() -> ssc.runtime().graph().uids()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("both have uid 'same'");
            assertThatThrownBy(() -> ssc.listStream(List.<List<String>>of()).uid(" "))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("uid must be non-blank");
        }
    }
}
