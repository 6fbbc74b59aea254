package dev.vqclip.app;

import dev.vqclip.app.run.RunState;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.image.Png;
import dev.vqclip.engine.image.PngTest;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * File ▸ Export frame as PNG in the window (TestFX, Monocle headless, the fake engine): a prompt in three scripts
 * comes back from the file exactly, in UTF-8 {@code iTXt}, with the same keys the CLI writes.
 */
class ExportMetadataFxTest {
    static final String PROMPT = "猫 café ñ";
    @TempDir
    Path tmp;
    final FxRobot robot = new FxRobot();
    StudioApp app;

    @BeforeAll
    static void toolkit() throws Exception {
        FxToolkit.registerPrimaryStage();
    }

    @AfterEach
    void close() throws Exception {
        if (app != null) {
            FxToolkit.cleanupApplication(app);
        }
        FxToolkit.cleanupStages();
    }

    static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(10, TimeUnit.SECONDS);
    }

    static void waitUntil(Callable<Boolean> c, int seconds) throws Exception {
        WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, () -> fx(c));
    }

    @Test
    void theFileMenuExportsAPromptInThreeScriptsThatReadsBackExactly() throws Exception {
        ScriptedDialogs dialogs = new ScriptedDialogs();
        StudioConfig c = new StudioConfig(p -> new FakeRunFactory(0), w -> dialogs, null, null, 0, null);
        app = (StudioApp) FxToolkit.setupApplication(() -> new StudioApp(c));
        StudioViewModel vm = app.viewModel();
        waitUntil(() -> vm.run().engineReadyProperty().get(), 10);
        robot.interact(() -> {
            vm.prompts().rows().get(0).textProperty().set(PROMPT);
            vm.settings().widthProperty().set(64);
            vm.settings().heightProperty().set(48);
            vm.settings().stepsProperty().set(2);
            vm.settings().seedProperty().set(4321);
            vm.start();
        });
        waitUntil(() -> vm.run().getState() == RunState.PAUSED && vm.run().stepProperty().get() == 2, 10);

        MenuBar bar = robot.lookup("#menuBar").queryAs(MenuBar.class);
        MenuItem export = fx(() -> bar.getMenus().get(0).getItems().stream()
                .filter(i -> "menuExportPng".equals(i.getId())).findFirst().orElseThrow());
        Path file = tmp.resolve("猫.png");
        dialogs.files.add(file);
        robot.interact(export::fire);
        waitUntil(() -> vm.noticeProperty().get().startsWith("exported 猫.png"), 10);

        byte[] png = Files.readAllBytes(file);
        Map<String, String> text = Png.readText(png);
        assertThat(text.get("vqclip.prompts")).isEqualTo(PROMPT + ":1");
        assertThat(text.get("Title")).isEqualTo(PROMPT + ":1");
        assertThat(text.get("vqclip.request")).contains(PROMPT).contains("\"seed\":4321");
        assertThat(text).containsEntry("vqclip.step", "2").containsEntry("vqclip.seed", "4321")
                .containsKeys("Software", "vqclip.settings", "vqclip.models");
        assertThat(PngTest.chunkTypes(png)).contains("iTXt").doesNotContain("tEXt");
        assertThat(Images.decode(png, file.toString()).argb()).isEqualTo(fx(() -> vm.canvas().getFrame().argb()));
    }
}
