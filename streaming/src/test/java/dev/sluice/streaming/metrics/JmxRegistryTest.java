package dev.sluice.streaming.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.streaming.testing.StreamingTestKit;
import io.micrometer.core.instrument.Clock;
import io.micrometer.jmx.JmxConfig;
import io.micrometer.jmx.JmxMeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** A user who passes Micrometer's JMX registry sees Sluice's meters as MBeans. */
class JmxRegistryTest {

    @Test
    void jmxRegistry_passedToTheBuilder_exposesTheBatchMetersAsMBeans() throws Exception {
        JmxConfig config = new JmxConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public String domain() {
                return "sluice-test";
            }
        };
        JmxMeterRegistry jmx = new JmxMeterRegistry(config, Clock.SYSTEM);
        try (StreamingTestKit kit = StreamingTestKit.builder().meterRegistry(jmx).build()) {
            kit.collect(kit.input(List.of(List.of(1, 2, 3), List.of(4))));
            kit.run(2);
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            Set<ObjectName> names = server.queryNames(new ObjectName("sluice-test:*"), null);
            ObjectName processing = named(names, "sluiceBatchProcessing");
            assertThat(server.getAttribute(processing, "Count")).isEqualTo(2L);
            ObjectName input = named(names, "sluiceInputRecords.stream.testInput.streamId.0");
            assertThat(server.getAttribute(input, "Count")).isEqualTo(4L);
        } finally {
            jmx.close();
        }
    }

    private static ObjectName named(Set<ObjectName> names, String name) {
        return names.stream().filter(n -> name.equals(n.getKeyProperty("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no MBean named " + name + " among " + names));
    }
}
