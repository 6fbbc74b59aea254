package dev.vqclip.models;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CatalogueTest {
    private static Catalogue parse(String json) {
        return Catalogue.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test.json");
    }

    @Test
    void bundledCatalogueHasThePublishedModelsInPreferenceOrder() {
        Catalogue c = Catalogue.load();
        assertThat(c.entries(ModelKind.VQGAN)).extracting(ModelEntry::name).startsWith("vqgan_imagenet_f16_16384",
                "vqgan_imagenet_f16_1024", "vqgan_gumbel_f8_8192");
        assertThat(c.entries(ModelKind.CLIP)).extracting(ModelEntry::name)
                .containsExactly("clip-vit-b32", "clip-vit-b16", "clip-vit-l14");
        assertThat(c.require("ViT-B/32").name()).isEqualTo("clip-vit-b32");
        assertThat(c.require("vit-l/14").name()).isEqualTo("clip-vit-l14");
        for (ModelEntry e : c.entries(ModelKind.VQGAN)) {
            assertThat(e.files()).extracting(ModelFile::role).containsExactly(FileRole.CKPT, FileRole.CONFIG);
            assertThat(e.files()).allMatch(f -> !f.urls().isEmpty());
        }
    }

    @Test
    void clipDownloadUrlsEmbedTheRecordedChecksum() {
        Catalogue c = Catalogue.load();
        for (ModelEntry e : c.entries(ModelKind.CLIP)) {
            ModelFile f = e.files().get(0);
            assertThat(f.sha256()).as(e.name()).isNotNull();
            assertThat(f.size()).as(e.name()).isPositive();
            URI openai = f.urls().get(0);
            assertThat(openai.getHost()).isEqualTo("openaipublic.azureedge.net");
            assertThat(ModelFile.shaInUrl(openai)).contains(f.sha256());
            assertThat(openai.getPath()).endsWith("/" + f.fileName());
            assertThat(e.requires()).containsExactly("bpe_simple_vocab_16e6");
        }
        assertThat(c.require("ViT-B/32").files().get(0).sha256())
                .isEqualTo("40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af");
    }

    @Test
    void vocabularyHasTheKnownChecksumAndSize() {
        ModelFile f = Catalogue.load().require("bpe_simple_vocab_16e6").files().get(0);
        assertThat(f.sha256()).isEqualTo("924691ac288e54409236115652ad4aa250f48203de50a9e4722a6ecd48d6804a");
        assertThat(f.size()).isEqualTo(1_356_917L);
        assertThat(f.role()).isEqualTo(FileRole.VOCAB);
    }

    @Test
    void fileNamesAreUniqueSoAMirrorCanServeThemFlat() {
        List<String> names = Catalogue.load().entries().stream().flatMap(e -> e.files().stream())
                .map(ModelFile::fileName).collect(Collectors.toList());
        assertThat(names).doesNotHaveDuplicates();
    }

    @Test
    void requirementsComeFirst() {
        Catalogue c = Catalogue.load();
        assertThat(c.withRequirements(c.require("clip-vit-b16"))).extracting(ModelEntry::name)
                .containsExactly("bpe_simple_vocab_16e6", "clip-vit-b16");
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        assertThatThrownBy(() -> Catalogue.load().require("vqgan_nonsense"))
                .hasMessageContaining("vqgan_nonsense").hasMessageContaining("vqgan_imagenet_f16_16384");
    }

    @Test
    void malformedCataloguesAreRefusedNamingTheProblem() {
        assertThatThrownBy(() -> parse("{")).isInstanceOf(ModelException.class).hasMessageContaining("test.json");
        assertThatThrownBy(() -> parse("{\"version\": 7, \"models\": []}")).hasMessageContaining("version");
        String unsafe = "{\"version\":1,\"models\":[{\"name\":\"x\",\"kind\":\"clip\",\"files\":[{\"file\":"
                + "\"../../etc/passwd\",\"role\":\"weights\",\"urls\":[]}]}]}";
        assertThatThrownBy(() -> parse(unsafe)).hasMessageContaining("unsafe file name");
        String badKind = "{\"version\":1,\"models\":[{\"name\":\"x\",\"kind\":\"gan\",\"files\":[{\"file\":"
                + "\"a.pt\",\"role\":\"weights\",\"urls\":[]}]}]}";
        assertThatThrownBy(() -> parse(badKind)).hasMessageContaining("models[0]").hasMessageContaining("gan");
        String mismatch = "{\"version\":1,\"models\":[{\"name\":\"x\",\"kind\":\"clip\",\"files\":[{\"file\":"
                + "\"a.pt\",\"role\":\"weights\",\"sha256\":\"" + "a".repeat(64) + "\",\"urls\":[\"https://h/"
                + "b".repeat(64) + "/a.pt\"]}]}]}";
        assertThatThrownBy(() -> parse(mismatch)).hasMessageContaining("names SHA-256");
        String ftp = "{\"version\":1,\"models\":[{\"name\":\"x\",\"kind\":\"clip\",\"files\":[{\"file\":"
                + "\"a.pt\",\"role\":\"weights\",\"urls\":[\"ftp://h/a.pt\"]}]}]}";
        assertThatThrownBy(() -> parse(ftp)).hasMessageContaining("not http");
        String dup = "{\"version\":1,\"models\":[{\"name\":\"x\",\"kind\":\"clip\",\"files\":[{\"file\":"
                + "\"a.pt\",\"role\":\"weights\"}]},{\"name\":\"y\",\"kind\":\"clip\",\"files\":[{\"file\":"
                + "\"a.pt\",\"role\":\"weights\"}]}]}";
        assertThatThrownBy(() -> parse(dup)).hasMessageContaining("used twice");
        String missingReq = "{\"version\":1,\"models\":[{\"name\":\"x\",\"kind\":\"clip\",\"requires\":[\"v\"],"
                + "\"files\":[{\"file\":\"a.pt\",\"role\":\"weights\"}]}]}";
        assertThatThrownBy(() -> parse(missingReq)).hasMessageContaining("requires 'v'");
    }
}
