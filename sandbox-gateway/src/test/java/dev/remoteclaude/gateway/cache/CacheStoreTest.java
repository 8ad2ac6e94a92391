package dev.remoteclaude.gateway.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The directory store and least-recently-used eviction, on a real directory. */
class CacheStoreTest {

  @TempDir Path dir;

  private CacheKey put(
      DirectoryCacheStore store, String owner, String lockfiles, int size, long age)
      throws IOException {
    CacheKey key = CacheKey.of(owner, "https://git.example.com/team/app.git", lockfiles);
    Path staged = store.staging();
    Files.write(staged, new byte[size]);
    store.put(key, staged);
    Files.setLastModifiedTime(
        dir.resolve(key.owner()).resolve(key.repository()).resolve(key.lockfiles() + ".tar.gz"),
        FileTime.from(Instant.now().minusSeconds(age)));
    return key;
  }

  @Test
  void theTotalCapEvictsTheLeastRecentlyUsedArchivesOfAnyOwner() throws IOException {
    DirectoryCacheStore store = new DirectoryCacheStore(dir);
    CacheKey oldest = put(store, "alice", "a", 100, 300);
    CacheKey middle = put(store, "bob", "b", 100, 200);
    CacheKey newest = put(store, "carol", "c", 100, 100);
    store.touch(oldest); // used just now: the least recently used is bob's

    DependencyCaches.evict(store, 1000, 250);

    assertThat(store.list()).extracting(CacheStore.Stored::key).containsOnly(oldest, newest);
    assertThat(store.find(middle)).isEmpty();
  }

  @Test
  void theRepositoryCapCountsOnlyThatOwnersRepository() throws IOException {
    DirectoryCacheStore store = new DirectoryCacheStore(dir);
    CacheKey old = put(store, "alice", "v1", 100, 300);
    CacheKey recent = put(store, "alice", "v2", 100, 100);
    CacheKey others = put(store, "bob", "v1", 100, 400);

    DependencyCaches.evict(store, 150, 10_000);

    assertThat(store.list()).extracting(CacheStore.Stored::key).containsOnly(recent, others);
    assertThat(store.find(old)).isEmpty();
  }

  @Test
  void theSameRepositoryAndLockfilesOfAnotherOwnerIsAnotherKey() {
    CacheKey alice = CacheKey.of("alice", "https://GIT.example.com/team/app.git", "lock");
    CacheKey bob = CacheKey.of("bob", "https://git.example.com/team/app", "lock");
    assertThat(alice.repository()).isEqualTo(bob.repository());
    assertThat(alice).isNotEqualTo(bob);
    assertThat(CacheKey.of("alice", "https://token@git.example.com/team/app/", "lock"))
        .isEqualTo(alice);
  }

  @Test
  void linksInTheStoreAreNeitherListedNorRead() throws IOException {
    DirectoryCacheStore store = new DirectoryCacheStore(dir);
    CacheKey key = CacheKey.of("alice", "https://git.example.com/team/app.git", "lock");
    Path secret = Files.writeString(Files.createTempFile(dir.getParent(), "secret", ""), "secret");
    Path file =
        dir.resolve(key.owner()).resolve(key.repository()).resolve(key.lockfiles() + ".tar.gz");
    Files.createDirectories(file.getParent());
    Files.createSymbolicLink(file, secret);

    assertThat(store.list()).isEmpty();
    assertThat(store.find(key)).isEmpty();
    assertThatThrownBy(
            () -> {
              try (InputStream in = store.open(key).orElseThrow()) {
                in.readAllBytes();
              }
            })
        .isInstanceOf(IOException.class);
    assertThat(List.of(Files.readString(secret))).containsExactly("secret");
  }

  @Test
  void keyPartsMustBeDigests() {
    assertThatThrownBy(() -> new CacheKey("../x", "a".repeat(64), "b".repeat(64)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
