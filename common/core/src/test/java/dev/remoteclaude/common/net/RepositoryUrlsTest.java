package dev.remoteclaude.common.net;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RepositoryUrlsTest {

  @Test
  void spellingsOfOneRepositoryNormalizeAlike() {
    String expected = "https://github.com/Acme/App";
    assertThat(RepositoryUrls.normalize("https://github.com/Acme/App")).isEqualTo(expected);
    assertThat(RepositoryUrls.normalize("https://GitHub.com/Acme/App.git")).isEqualTo(expected);
    assertThat(RepositoryUrls.normalize(" HTTPS://github.com.:443/Acme/App/ ")).isEqualTo(expected);
    assertThat(RepositoryUrls.normalize("https://github.com/Acme/App.git/")).isEqualTo(expected);
  }

  @Test
  void differentRepositoriesStayDifferent() {
    assertThat(RepositoryUrls.normalize("https://github.com/acme/app"))
        .isNotEqualTo(RepositoryUrls.normalize("https://github.com/Acme/App"));
    assertThat(RepositoryUrls.normalize("https://git.example.com:8443/a/b"))
        .isEqualTo("https://git.example.com:8443/a/b");
    assertThat(RepositoryUrls.normalize("file:///tmp/repo.git")).isEqualTo("file:///tmp/repo");
  }
}
