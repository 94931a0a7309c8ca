package dev.sluice.streaming.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class MappingStateTest {

    @Test
    void get_noState_failsSayingSo() {
        MappingState<Long> state = MappingState.present();
        state.reset(null, false);
        assertThat(state.exists()).isFalse();
        assertThat(state.getOption()).isEmpty();
        assertThatThrownBy(state::get).isInstanceOf(NoSuchElementException.class)
                .hasMessageContaining("no state").hasMessageContaining("getOption()");
    }

    @Test
    void update_thenGet_returnsNewState() {
        MappingState<Long> state = MappingState.present();
        state.reset(1L, false);
        state.update(2L);
        assertThat(state.get()).isEqualTo(2L);
        assertThat(state.isUpdated()).isTrue();
    }

    @Test
    void update_afterRemove_failsSayingWhy() {
        MappingState<Long> state = MappingState.present();
        state.reset(1L, false);
        state.remove();
        assertThat(state.isRemoved()).isTrue();
        assertThatThrownBy(() -> state.update(3L)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("removed earlier in this call");
        assertThatThrownBy(state::remove).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already removed");
        assertThatThrownBy(state::get).hasMessageContaining("removed in this call");
    }

    @Test
    void updateOrRemove_whileTimingOut_failsSayingWhy() {
        MappingState<Long> state = MappingState.present();
        state.reset(1L, true);
        assertThat(state.isTimingOut()).isTrue();
        assertThat(state.get()).isEqualTo(1L);
        assertThatThrownBy(() -> state.update(3L)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("timing out");
        assertThatThrownBy(state::remove).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("timing out");
    }

    @Test
    void update_null_failsPointingToRemove() {
        MappingState<Long> state = MappingState.present();
        state.reset(null, false);
        assertThatThrownBy(() -> state.update(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("remove()");
    }

    @Test
    void reset_clearsPreviousCall() {
        MappingState<Long> state = MappingState.present();
        state.reset(1L, true);
        state.reset(null, false);
        assertThat(state.isTimingOut()).isFalse();
        state.update(5L);
        assertThat(state.isRemoved()).isFalse();
        assertThat(state.getOption()).contains(5L);
    }

    @Test
    void toOptional_presentAndAbsentStates_followUpdatesAndRemovalsAlike() {
        List<MappingState<Long>> states = List.of(MappingState.present(), MappingState.absent());
        for (MappingState<Long> state : states) {
            state.reset(4L, false);
            assertThat(state.toOptional()).as("%s with state", state.getClass()).contains(4L);
            state.remove();
            assertThat(state.toOptional()).as("%s after remove", state.getClass()).isEmpty();
            state.reset(null, false);
            assertThat(state.toOptional()).as("%s without state", state.getClass()).isEmpty();
            state.update(9L);
            assertThat(state.toOptional()).as("%s after update", state.getClass()).contains(9L);
            assertThat(state.getOption()).as("%s getOption", state.getClass()).contains(9L);
        }
    }
}
