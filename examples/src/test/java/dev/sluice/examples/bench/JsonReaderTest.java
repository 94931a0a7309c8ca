package dev.sluice.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.examples.bench.BenchReport.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonReaderTest {

    @Test
    void object_lineWrittenByJson_readsBackEveryField() {
        String line = new Json().put("workload", "W1").put("mode", "engine").put("linesPerBatch", 100000)
                .put("procMs", Map.of("median", 1.5)).put("outputCounts", List.of(3L, 4L))
                .put("jvmFlags", "-Xmx4g \"quoted\" back\\slash").toString();

        Map<String, Object> json = JsonReader.object(line);

        assertThat(json).containsEntry("workload", "W1").containsEntry("mode", "engine")
                .containsEntry("linesPerBatch", 100000.0).containsEntry("procMs", Map.of("median", 1.5))
                .containsEntry("outputCounts", List.of(3.0, 4.0))
                .containsEntry("jvmFlags", "-Xmx4g \"quoted\" back\\slash");
    }

    @Test
    void object_notAnObject_throwsNamingThePosition() {
        assertThatThrownBy(() -> JsonReader.object("{\"a\": 1} x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at character 9");
        assertThatThrownBy(() -> JsonReader.object("{\"a\": nope}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a number");
    }
}
