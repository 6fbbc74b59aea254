package dev.vqclip.app;

import javafx.application.Application;

import java.net.URL;

/**
 * AtlantaFX light/dark themes. AtlantaFX 2.1.0's classes are compiled for Java 21, so on Java 17 we load its
 * stylesheets (plain resources in the same jar) instead of calling {@code new PrimerLight()}.
 */
public final class Themes {
    static final String LIGHT = "/atlantafx/base/theme/primer-light.css";
    static final String DARK = "/atlantafx/base/theme/primer-dark.css";

    private Themes() {
    }

    /** Applies the light or dark theme to the whole application (falls back to Modena when missing). */
    public static void apply(boolean dark) {
        URL css = Themes.class.getResource(dark ? DARK : LIGHT);
        Application.setUserAgentStylesheet(css == null ? Application.STYLESHEET_MODENA : css.toExternalForm());
    }
}
