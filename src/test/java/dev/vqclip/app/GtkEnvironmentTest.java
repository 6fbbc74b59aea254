package dev.vqclip.app;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class GtkEnvironmentTest {
    private static boolean decide(Map<String, String> env, String... files) {
        Set<Path> existing = java.util.Arrays.stream(files).map(Path::of).collect(java.util.stream.Collectors.toSet());
        return GtkEnvironment.needsMemoryBackend(env, existing::contains);
    }

    @Test
    void theMemoryBackendIsChosenOnlyWhereNoSessionBusCanSaveGtksSettings() {
        // Xvfb in a container: no bus, no systemd user bus, no dbus-launch (the dconf warnings of issue 22)
        assertThat(decide(Map.of("PATH", "/usr/bin:/bin", "XDG_RUNTIME_DIR", "/run/user/0"))).isTrue();
        assertThat(decide(Map.of())).isTrue();
        // a desktop session
        assertThat(decide(Map.of("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1000/bus"))).isFalse();
        assertThat(decide(Map.of("XDG_RUNTIME_DIR", "/run/user/1000"), "/run/user/1000/bus")).isFalse();
        // GLib can start a bus itself
        assertThat(decide(Map.of("PATH", "/usr/local/bin:/usr/bin"), "/usr/bin/dbus-launch")).isFalse();
        // the user's own choice stands
        assertThat(decide(Map.of("GSETTINGS_BACKEND", "dconf"))).isFalse();
    }
}
