// The Keras-compatible text pipeline (recur/data/text.hpp). Expected values are literals worked
// out by hand from Keras's code (keras_preprocessing/text.py: text_to_word_sequence,
// Tokenizer.fit_on_texts / texts_to_sequences_generator; keras_preprocessing/sequence.py:
// pad_sequences; keras/datasets/imdb.py: load_data), following each step as noted per test;
// where Keras's own tests (keras-preprocessing tests/text_test.py) cover a case, the same inputs
// and expectations are used.
#include "recur/data/text.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

namespace recur {
namespace {

using Words = std::vector<std::string>;
using Ids = std::vector<std::int32_t>;
using Seqs = std::vector<std::vector<std::int32_t>>;

// ---------------------------------------------------------------- text_to_word_sequence

// Keras: lower(), translate every filter to ' ', split(' '), drop empty strings.
TEST(TextWordSequence, PunctuationAndCase) {
    // Keras's own test: 'hello! ? world!' -> ['hello', 'world'].
    EXPECT_EQ(text_to_word_sequence("hello! ? world!"), (Words{"hello", "world"}));
    EXPECT_EQ(text_to_word_sequence("The Cat SAT (on) the mat... [really]?"),
              (Words{"the", "cat", "sat", "on", "the", "mat", "really"}));
    // '-', '/', '.', '@' are filters, so they separate words.
    EXPECT_EQ(text_to_word_sequence("e-mail me@home/work.com"),
              (Words{"e", "mail", "me", "home", "work", "com"}));
    EXPECT_EQ(text_to_word_sequence("The Cat", kKerasFilters, false), (Words{"The", "Cat"}));
}

TEST(TextWordSequence, TabsNewlinesAndRepeatedSpaces) {
    // \t and \n are in the default filters; runs of separators give empty pieces, dropped.
    EXPECT_EQ(text_to_word_sequence("  tab\tsep\nnew \n\t line    end  "),
              (Words{"tab", "sep", "new", "line", "end"}));
    // \r is not a filter and split(' ') cuts at ' ' only: "a\rb" stays one word.
    EXPECT_EQ(text_to_word_sequence("a\rb c"), (Words{"a\rb", "c"}));
    EXPECT_TRUE(text_to_word_sequence("").empty());
    EXPECT_TRUE(text_to_word_sequence(" !?\t\n... ").empty());
}

TEST(TextWordSequence, ApostropheIsKept) {
    // The default filters have no "'": "don't" is one word.
    EXPECT_EQ(text_to_word_sequence("Don't stop-believing, it's 'fine'"),
              (Words{"don't", "stop", "believing", "it's", "'fine'"}));
}

TEST(TextWordSequence, CustomFiltersAndSplit) {
    // filters ";" -> ',' then split(','): "a,b;c" -> "a,b,c".
    EXPECT_EQ(text_to_word_sequence("A,b;C,,", ";", true, ','), (Words{"a", "b", "c"}));
    // No filters: only ' ' separates.
    EXPECT_EQ(text_to_word_sequence("A-B c.d", "", true, ' '), (Words{"a-b", "c.d"}));
    // Lower-casing happens before filtering: a filter 'A' never matches once lowered.
    EXPECT_EQ(text_to_word_sequence("xAy", "A", true, ' '), (Words{"xay"}));
    EXPECT_EQ(text_to_word_sequence("xAy", "A", false, ' '), (Words{"x", "y"}));
}

TEST(TextWordSequence, LowerCasingIsAsciiOnly) {
    // UTF-8 "ÀB": the two bytes of 'À' are kept as they are (Python's str.lower would give 'à').
    EXPECT_EQ(text_to_word_sequence("\xC3\x80"
                                    "B"),
              (Words{"\xC3\x80"
                     "b"}));
}

// ---------------------------------------------------------------- Tokenizer

const Words kCats = {"The cat sat on the mat.", "The dog sat on the log.",
                     "Dogs and cats living together."};

// word_counts (first appearance): the 4, cat 1, sat 2, on 2, mat 1, dog 1, log 1, dogs 1, and 1,
// cats 1, living 1, together 1. Stable sort by count, descending: the, sat, on (sat first seen
// before on), then the count-1 words in first-appearance order.
TEST(TokenizerFit, WordIndexRanksByCountTiesByFirstAppearance) {
    Tokenizer tok;
    tok.fit_on_texts(kCats);
    EXPECT_EQ(tok.document_count(), 3);
    const std::vector<std::pair<std::string, Index>> counts = {
        {"the", 4}, {"cat", 1},  {"sat", 2}, {"on", 2},   {"mat", 1},    {"dog", 1},
        {"log", 1}, {"dogs", 1}, {"and", 1}, {"cats", 1}, {"living", 1}, {"together", 1}};
    EXPECT_EQ(tok.word_counts(), counts);
    const std::unordered_map<std::string, std::int32_t> index = {
        {"the", 1}, {"sat", 2},  {"on", 3},  {"cat", 4},   {"mat", 5},     {"dog", 6},
        {"log", 7}, {"dogs", 8}, {"and", 9}, {"cats", 10}, {"living", 11}, {"together", 12}};
    EXPECT_EQ(tok.word_index(), index);
    EXPECT_EQ(tok.vocab_size(), 13);  // len(word_index) + 1
    EXPECT_EQ(tok.oov_index(), 0);
    EXPECT_EQ(tok.index_of("bird"), 0);
}

TEST(TokenizerFit, TieBrokenByFirstAppearanceAcrossTexts) {
    // x 1, y 2, z 2: y and z tie, y was seen first.
    Tokenizer tok;
    tok.fit_on_texts({"x y z", "z y"});
    EXPECT_EQ(tok.index_of("y"), 1);
    EXPECT_EQ(tok.index_of("z"), 2);
    EXPECT_EQ(tok.index_of("x"), 3);
}

TEST(TokenizerFit, RepeatedFitsAccumulate) {
    // Keras keeps word_counts and document_count across calls and re-sorts: b 1, a 2 -> a, b.
    Tokenizer tok;
    tok.fit_on_texts({"b a"});
    EXPECT_EQ(tok.index_of("b"), 1);
    tok.fit_on_texts({"a"});
    EXPECT_EQ(tok.document_count(), 2);
    EXPECT_EQ(tok.index_of("a"), 1);
    EXPECT_EQ(tok.index_of("b"), 2);
}

TEST(TokenizerSequences, UnseenTextDropsUnknownWords) {
    Tokenizer tok;
    tok.fit_on_texts(kCats);
    // the 1, cat 4, and 9, the 1; "bird" is unknown and there is no oov_token: dropped.
    EXPECT_EQ(tok.texts_to_sequences({"The cat and the bird!"}), (Seqs{{1, 4, 9, 1}}));
    EXPECT_EQ(tok.texts_to_sequences(kCats),
              (Seqs{{1, 4, 2, 3, 1, 5}, {1, 6, 2, 3, 1, 7}, {8, 9, 10, 11, 12}}));
}

TEST(TokenizerSequences, NumWordsKeepsIndicesBelowIt) {
    // `if num_words and i >= num_words`: num_words 4 keeps the, sat, on (1..3) only.
    Tokenizer tok({.num_words = 4});
    tok.fit_on_texts(kCats);
    EXPECT_EQ(tok.word_index().size(), 12u);  // word_index itself is not cut
    EXPECT_EQ(tok.texts_to_sequences(kCats), (Seqs{{1, 2, 3, 1}, {1, 2, 3, 1}, {}}));
}

TEST(TokenizerSequences, OovTokenTakesIndexOne) {
    // [oov] + sorted words: <unk> 1, the 2, sat 3, on 4, cat 5, mat 6, dog 7, log 8, dogs 9,
    // and 10, cats 11, living 12, together 13.
    Tokenizer tok({.oov_token = "<unk>"});
    tok.fit_on_texts(kCats);
    EXPECT_EQ(tok.oov_index(), 1);
    EXPECT_EQ(tok.index_of("<unk>"), 1);
    EXPECT_EQ(tok.index_of("the"), 2);
    EXPECT_EQ(tok.index_of("together"), 13);
    EXPECT_EQ(tok.vocab_size(), 14);
    // Unknown "bird" becomes the OOV index in place.
    EXPECT_EQ(tok.texts_to_sequences({"The cat and the bird!"}), (Seqs{{2, 5, 10, 2, 1}}));
}

TEST(TokenizerSequences, OovTokenReplacesWordsOverTheLimit) {
    // Keras's test_sequences_to_texts: num_words 10, '<unk>': the third text reads back as
    // 'dogs <unk> <unk> <unk> <unk>' (dogs 9 < 10; and 10, cats 11, living 12, together 13 -> 1).
    Tokenizer tok({.num_words = 10, .oov_token = "<unk>"});
    tok.fit_on_texts(kCats);
    EXPECT_EQ(tok.texts_to_sequences(kCats),
              (Seqs{{2, 5, 3, 4, 2, 6}, {2, 7, 3, 4, 2, 8}, {9, 1, 1, 1, 1}}));

    // Keras's test_tokenizer_oov_flag_and_num_words: counts this 2, text 2, has, only, known,
    // words 1 -> <unk> 1, this 2, text 3, ...; num_words 3 keeps 1..2, so the test text reads
    // 'this <unk> <unk> <unk> <unk> <unk>'.
    Tokenizer small({.num_words = 3, .oov_token = "<unk>"});
    small.fit_on_texts({"This text has only known words this text"});
    EXPECT_EQ(small.texts_to_sequences({"This text has some unknown words"}),
              (Seqs{{2, 1, 1, 1, 1, 1}}));
}

TEST(TokenizerSequences, OovIndexIsNotLimited) {
    // num_words 1: every word index is >= 1, so every word becomes the OOV index 1 (which is
    // itself >= num_words but appended unchecked); without an oov_token all are dropped.
    Tokenizer with({.num_words = 1, .oov_token = "<unk>"});
    with.fit_on_texts(kCats);
    EXPECT_EQ(with.texts_to_sequences({"the cat flew"}), (Seqs{{1, 1, 1}}));
    Tokenizer without({.num_words = 1});
    without.fit_on_texts(kCats);
    EXPECT_EQ(without.texts_to_sequences({"the cat flew"}), (Seqs{{}}));
}

TEST(TokenizerSequences, OovTokenThatIsAlsoAWord) {
    // counts unk 1, a 2, b 1 -> sorted a, unk, b; dict(zip([unk, a, unk, b], [1, 2, 3, 4]))
    // keeps unk's last index: {unk: 3, a: 2, b: 4}. Index 1 is unused, the OOV index is 3.
    Tokenizer tok({.oov_token = "unk"});
    tok.fit_on_texts({"unk a a", "b"});
    const std::unordered_map<std::string, std::int32_t> index = {{"unk", 3}, {"a", 2}, {"b", 4}};
    EXPECT_EQ(tok.word_index(), index);
    EXPECT_EQ(tok.oov_index(), 3);
    EXPECT_EQ(tok.vocab_size(), 5);  // largest index 4 + 1 (len(word_index) + 1 would be 4)
    EXPECT_EQ(tok.texts_to_sequences({"a zzz b unk"}), (Seqs{{2, 3, 4, 3}}));
}

TEST(TokenizerArgs, NegativeNumWordsThrows) {
    EXPECT_THROW(Tokenizer({.num_words = -1}), std::invalid_argument);
}

// ---------------------------------------------------------------- pad_sequences

// Keras: trunc = s[-maxlen:] (pre) or s[:maxlen] (post); x[i, -len(trunc):] = trunc (pre) or
// x[i, :len(trunc)] = trunc (post); empty sequences stay all `value`.
const Seqs kSeqs = {{1, 2, 3}, {4, 5, 6, 7, 8}, {}, {9}};

TEST(PadSequences, PrePre) {
    EXPECT_EQ(pad_sequences(kSeqs, 4),
              (Ids{0, 1, 2, 3, /**/ 5, 6, 7, 8, /**/ 0, 0, 0, 0, /**/ 0, 0, 0, 9}));
}

TEST(PadSequences, PostPost) {
    EXPECT_EQ(pad_sequences(kSeqs, 4, Side::post, Side::post),
              (Ids{1, 2, 3, 0, /**/ 4, 5, 6, 7, /**/ 0, 0, 0, 0, /**/ 9, 0, 0, 0}));
}

TEST(PadSequences, PrePaddingPostTruncating) {
    EXPECT_EQ(pad_sequences(kSeqs, 4, Side::pre, Side::post),
              (Ids{0, 1, 2, 3, /**/ 4, 5, 6, 7, /**/ 0, 0, 0, 0, /**/ 0, 0, 0, 9}));
}

TEST(PadSequences, PostPaddingPreTruncating) {
    EXPECT_EQ(pad_sequences(kSeqs, 4, Side::post, Side::pre),
              (Ids{1, 2, 3, 0, /**/ 5, 6, 7, 8, /**/ 0, 0, 0, 0, /**/ 9, 0, 0, 0}));
}

TEST(PadSequences, CustomValue) {
    EXPECT_EQ(pad_sequences(kSeqs, 4, Side::pre, Side::pre, -1),
              (Ids{-1, 1, 2, 3, /**/ 5, 6, 7, 8, /**/ -1, -1, -1, -1, /**/ -1, -1, -1, 9}));
}

TEST(PadSequences, MaxlenZeroMeansLongest) {
    // maxlen=None: np.max(lengths) = 5.
    EXPECT_EQ(longest_length(kSeqs), 5);
    EXPECT_EQ(pad_sequences(kSeqs, 0),
              (Ids{0, 0, 1, 2, 3, /**/ 4, 5, 6, 7, 8, /**/ 0, 0, 0, 0, 0, /**/ 0, 0, 0, 0, 9}));
    EXPECT_EQ(pad_sequences(kSeqs, 0, Side::post, Side::post),
              (Ids{1, 2, 3, 0, 0, /**/ 4, 5, 6, 7, 8, /**/ 0, 0, 0, 0, 0, /**/ 9, 0, 0, 0, 0}));
    EXPECT_TRUE(pad_sequences({}, 0).empty());
    EXPECT_TRUE(pad_sequences({{}, {}}, 0).empty());
    EXPECT_EQ(pad_sequences({{}, {}}, 2), (Ids{0, 0, 0, 0}));
}

TEST(PadSequences, BadArguments) {
    EXPECT_THROW(pad_sequences(kSeqs, -1), std::invalid_argument);
    EXPECT_EQ(side_from_name("pre"), Side::pre);
    EXPECT_EQ(side_from_name("post"), Side::post);
    EXPECT_STREQ(side_name(Side::post), "post");
    EXPECT_THROW(side_from_name("Pre"), std::invalid_argument);
    EXPECT_THROW(side_from_name("middle"), std::invalid_argument);
}

// ---------------------------------------------------------------- IMDB ids

// Words after "<br />"-style breaks become spaces: review 1 "the movie was great great acting",
// review 2 "the plot was bad the acting was bad too". Counts in first-appearance order: the 3,
// movie 1, was 3, great 2, acting 2, plot 1, bad 2, too 1 -> ranks the 1, was 2, great 3,
// acting 4, bad 5, movie 6, plot 7, too 8.
const Words kReviews = {"The movie was great.<br /><br />Great acting!",
                        "The plot was bad. The acting<br/>was bad<BR>too"};
const std::string kReview = "The acting was great, the plot bad!";

TEST(ImdbWords, LineBreaksBecomeSpaces) {
    EXPECT_EQ(imdb_words("a<br>b<br/>c<br />d<BR />e<Br/>f"),
              (Words{"a", "b", "c", "d", "e", "f"}));
    // Without the replacement '<', '/', '>' are filters and each break would leave "br"; other
    // tags are not touched.
    EXPECT_EQ(text_to_word_sequence("a<br />b"), (Words{"a", "br", "b"}));
    EXPECT_EQ(imdb_words("x<bra>y <br"), (Words{"x", "bra", "y", "br"}));
}

TEST(ImdbVocab, RanksByCountTiesByFirstAppearance) {
    ImdbVocabulary vocab(kReviews);
    EXPECT_EQ(vocab.words(),
              (Words{"the", "was", "great", "acting", "bad", "movie", "plot", "too"}));
    EXPECT_EQ(vocab.rank("the"), 1);
    EXPECT_EQ(vocab.rank("too"), 8);
    EXPECT_EQ(vocab.rank("br"), 0);
    EXPECT_EQ(vocab.size(), 8);
}

TEST(ImdbVocab, StartCharAndIndexFrom) {
    // [start_char 1] + [rank + 3]: the 4, acting 7, was 5, great 6, the 4, plot 10, bad 8.
    ImdbVocabulary vocab(kReviews);
    EXPECT_EQ(vocab.encode(kReview), (Ids{1, 4, 7, 5, 6, 4, 10, 8}));
    // Unknown word -> oov_char 2.
    EXPECT_EQ(vocab.encode("the zebra"), (Ids{1, 4, 2}));
    EXPECT_EQ(vocab.encode(""), (Ids{1}));
    EXPECT_EQ(vocab.encode(Words{"too", "movie"}), (Seqs{{1, 11}, {1, 9}}));
    EXPECT_EQ(vocab.id_limit(), 12);  // largest id 8 + 3
    ImdbVocabulary shifted(kReviews, {.start_char = 7, .index_from = 10});
    EXPECT_EQ(shifted.encode("the was"), (Ids{7, 11, 12}));
}

TEST(ImdbVocab, NumWordsCutsToOovChar) {
    // ids >= 8 -> 2: plot 10 and bad 8 are cut; ranks 1..4 (ids 4..7) stay.
    ImdbVocabulary vocab(kReviews, {.num_words = 8});
    EXPECT_EQ(vocab.encode(kReview), (Ids{1, 4, 7, 5, 6, 4, 2, 2}));
    EXPECT_EQ(vocab.id_limit(), 8);
    ImdbVocabulary no_cut(kReviews, {.num_words = 0});
    EXPECT_EQ(no_cut.encode(kReview), (Ids{1, 4, 7, 5, 6, 4, 10, 8}));
}

TEST(ImdbVocab, SkipTopAppliesToShiftedIdsAndStartChar) {
    // skip_top 5: ids < 5 -> 2, i.e. start_char 1 and "the" (id 4), as Keras's
    // [w if skip_top <= w < num_words else oov_char] after adding start_char.
    ImdbVocabulary top5(kReviews, {.skip_top = 5});
    EXPECT_EQ(top5.encode(kReview), (Ids{2, 2, 7, 5, 6, 2, 10, 8}));
    // skip_top 2 skips no word (ids start at 4) but turns start_char 1 into oov_char.
    ImdbVocabulary top2(kReviews, {.skip_top = 2});
    EXPECT_EQ(top2.encode(kReview), (Ids{2, 4, 7, 5, 6, 4, 10, 8}));
    ImdbVocabulary both(kReviews, {.num_words = 8, .skip_top = 5});
    EXPECT_EQ(both.encode(kReview), (Ids{2, 2, 7, 5, 6, 2, 2, 2}));
    ImdbVocabulary none(kReviews, {.num_words = 0, .skip_top = 20});
    EXPECT_EQ(none.id_limit(), 3);  // only oov_char 2 can come out
}

TEST(ImdbVocab, BadOptionsThrow) {
    EXPECT_THROW(ImdbVocabulary(kReviews, {.num_words = -1}), std::invalid_argument);
    EXPECT_THROW(ImdbVocabulary(kReviews, {.skip_top = -1}), std::invalid_argument);
}

// ---------------------------------------------------------------- split

// The IMDB package's order: 25,000 negative reviews, then 25,000 positive ones.
std::vector<int> imdb_labels() {
    std::vector<int> labels(50000, 0);
    std::fill(labels.begin() + 25000, labels.end(), 1);
    return labels;
}

Index count_label(const std::vector<int>& labels, const std::vector<Index>& idx, int label) {
    return std::count_if(idx.begin(), idx.end(),
                         [&](Index i) { return labels[static_cast<std::size_t>(i)] == label; });
}

TEST(ImdbSplit, BalancedDisjointAndCovering) {
    const std::vector<int> labels = imdb_labels();
    const Split s = balanced_split(labels);
    ASSERT_EQ(s.train.size(), 25000u);
    ASSERT_EQ(s.test.size(), 25000u);
    EXPECT_EQ(count_label(labels, s.train, 0), 12500);
    EXPECT_EQ(count_label(labels, s.train, 1), 12500);
    EXPECT_EQ(count_label(labels, s.test, 0), 12500);
    EXPECT_EQ(count_label(labels, s.test, 1), 12500);
    std::vector<Index> all(s.train);
    all.insert(all.end(), s.test.begin(), s.test.end());
    std::sort(all.begin(), all.end());
    for (std::size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], static_cast<Index>(i));
    // Interleaved: the first 1,000 training indices hold both classes in roughly equal parts.
    const std::vector<Index> head(s.train.begin(), s.train.begin() + 1000);
    EXPECT_GT(count_label(labels, head, 0), 400);
    EXPECT_GT(count_label(labels, head, 1), 400);
}

TEST(ImdbSplit, DeterministicPerSeed) {
    const std::vector<int> labels = imdb_labels();
    const Split a = balanced_split(labels, 42);
    const Split b = balanced_split(labels, 42);
    EXPECT_EQ(a.train, b.train);
    EXPECT_EQ(a.test, b.test);
    const Split c = balanced_split(labels, 43);
    EXPECT_NE(a.train, c.train);
    EXPECT_NE(a.test, c.test);
    std::vector<Index> at(a.train), ct(c.train);
    std::sort(at.begin(), at.end());
    std::sort(ct.begin(), ct.end());
    EXPECT_NE(at, ct);  // a different set, not only a different order
}

TEST(ImdbSplit, ShareRoundsPerClassAndChecksRange) {
    // Class 0 has 5 members: llround(2.5) = 3 train; class 1 has 3: llround(1.5) = 2 train.
    const std::vector<int> labels = {1, 0, 0, 1, 0, 0, 1, 0};
    const Split s = balanced_split(labels, 7, 0.5);
    EXPECT_EQ(s.train.size(), 5u);
    EXPECT_EQ(s.test.size(), 3u);
    EXPECT_EQ(count_label(labels, s.train, 0), 3);
    EXPECT_EQ(count_label(labels, s.train, 1), 2);
    EXPECT_EQ(balanced_split(labels, 7, 1.0).test.size(), 0u);
    EXPECT_EQ(balanced_split(labels, 7, 0.0).train.size(), 0u);
    EXPECT_TRUE(balanced_split({}, 7).train.empty());
    EXPECT_THROW(balanced_split(labels, 7, 1.5), std::invalid_argument);
    EXPECT_THROW(balanced_split(labels, 7, -0.1), std::invalid_argument);
}

TEST(ImdbSplit, CountsTestTextsSharedWithTrain) {
    const Words texts = {"a", "b", "a", "c", "b", "b"};
    // Test texts a (in train), c (not), b (in train), b (in train): 3.
    EXPECT_EQ(count_shared_texts(texts, Split{{0, 1}, {2, 3, 4, 5}}), 3);
    EXPECT_EQ(count_shared_texts(texts, Split{{3}, {0, 1}}), 0);
    EXPECT_THROW(count_shared_texts(texts, Split{{0}, {6}}), std::out_of_range);
}

}  // namespace
}  // namespace recur
