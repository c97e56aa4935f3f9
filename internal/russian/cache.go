package russian

import (
	"hash/maphash"
	"strings"
	"sync"
)

// The Snowball stemmers are slow (a few microseconds a word, mostly spent
// converting suffix strings to runes), and the words of support tickets
// repeat a lot, so Stem keeps the stems of recent words in a bounded cache.
// BenchmarkIndexText/warm against /cold shows the difference.
const (
	cacheShards          = 32   // a power of two
	cacheEntriesPerShard = 1024 // 32K words in all, about 3.5 MB when full
)

// stemCache maps words to stems. It is sharded by a hash of the word so that
// concurrent IndexText calls rarely meet on a lock; a full shard drops a
// random entry (Go randomises where map iteration starts) for each new one.
type stemCache struct {
	seed   maphash.Seed
	shards [cacheShards]cacheShard
}

// cacheShard is one lock and its part of the cache.
type cacheShard struct {
	mu sync.RWMutex
	m  map[string]string
	_  [32]byte // pad to 64 bytes, so that shards do not share a cache line
}

// cache is the stem cache used by Stem.
var cache = newStemCache()

// newStemCache returns an empty stemCache.
func newStemCache() *stemCache {
	c := &stemCache{seed: maphash.MakeSeed()}
	for i := range c.shards {
		c.shards[i].m = make(map[string]string, cacheEntriesPerShard)
	}
	return c
}

// shard returns the shard that holds word.
func (c *stemCache) shard(word string) *cacheShard {
	return &c.shards[maphash.String(c.seed, word)&(cacheShards-1)]
}

// get returns the cached stem of word.
func (c *stemCache) get(word string) (string, bool) {
	sh := c.shard(word)
	sh.mu.RLock()
	s, ok := sh.m[word]
	sh.mu.RUnlock()
	return s, ok
}

// put caches the stem of word. word is copied, since callers pass
// substrings of larger texts that the cache must not keep alive.
func (c *stemCache) put(word, s string) {
	word = strings.Clone(word)
	if strings.HasPrefix(word, s) {
		s = word[:len(s)] // share the bytes: a stem is usually a prefix
	}
	sh := c.shard(word)
	sh.mu.Lock()
	if len(sh.m) >= cacheEntriesPerShard {
		for k := range sh.m {
			delete(sh.m, k)
			break
		}
	}
	sh.m[word] = s
	sh.mu.Unlock()
}
