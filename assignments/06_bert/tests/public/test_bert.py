"""Public checks of `MiniBERT` (step 06)."""
import torch

from grader import contract
from grader.golden import golden_case
from grader.testkit import check_close, check_differs, check_parameters, check_shape, randint, seed_parameters

V, E, L, H, MAX = 11, 8, 2, 2, 16
IDS = torch.tensor([[4, 7, 2, 9, 0, 0], [5, 3, 8, 1, 6, 2]])  # row 0 ends with two [PAD] (id 0)
# attention_mask (1 = real token) that disagrees with pad_id: row 0 has a real 0 and a masked 3
MASKED_IDS = torch.tensor([[4, 0, 2, 9, 7, 3], [5, 3, 8, 1, 0, 2]])
ATTENTION_MASK = torch.tensor([[1, 1, 1, 1, 1, 0], [1, 1, 1, 0, 0, 0]])


def _seeded(MiniBERT, seed=5, **kwargs):
    model = MiniBERT(V, embed_dim=E, num_layers=L, heads=H, max_len=MAX, **kwargs)
    seed_parameters(model, contract.mini_bert(V, E, L, MAX), seed, f"MiniBERT({V}, embed_dim={E}, num_layers={L})")
    return model.eval()


@golden_case
def bert_hidden_states(MiniBERT):
    return _seeded(MiniBERT)(IDS)


@golden_case
def bert_with_attention_mask(MiniBERT):
    return _seeded(MiniBERT, seed=6)(MASKED_IDS, attention_mask=ATTENTION_MASK)


def test_bert_has_the_course_parameters(MiniBERT):
    for layers, heads in [(L, H), (3, 4)]:
        check_parameters(MiniBERT(V, embed_dim=E, num_layers=layers, heads=heads, max_len=MAX),
                         contract.mini_bert(V, E, layers, MAX),
                         f"MiniBERT({V}, embed_dim={E}, num_layers={layers}, heads={heads}, max_len={MAX})")


def test_bert_output_shape(MiniBERT):
    check_shape(_seeded(MiniBERT)(IDS), (2, 6, E), "MiniBERT on ids of shape (2, 6)")


def test_bert_matches_expected_values(MiniBERT, golden):
    golden.check(bert_hidden_states, MiniBERT, what="MiniBERT hidden states with padding (eval mode)",
                 hint="embed, then every layer with the padding mask make_padding_mask(input_ids, pad_id).")


def test_appending_padding_changes_nothing(MiniBERT):
    model = _seeded(MiniBERT)
    ids = IDS[1:]  # (1, 6), no padding
    padded = torch.cat([ids, torch.zeros(1, 3, dtype=torch.long)], dim=1)
    check_close(model(padded)[:, :6], model(ids), "real tokens' outputs after appending 3 [PAD] tokens",
                "the padding keys must be masked out in every layer (mask from make_padding_mask).")


def test_attention_mask_matches_expected_values(MiniBERT, golden):
    golden.check(bert_with_attention_mask, MiniBERT, what="MiniBERT(input_ids, attention_mask=...) (eval mode)",
                 hint="a given attention_mask (B, T) of 1/0 replaces the pad_id mask: mask = attention_mask.bool()[:, None, None, :].")


def test_attention_mask_hides_the_marked_tokens(MiniBERT):
    model = _seeded(MiniBERT)
    ids = randint(V - 1, (2, 6), seed=226) + 1
    attention_mask = torch.tensor([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 0]])  # ints, as tokenizers give them
    other = torch.where(attention_mask.bool(), ids, randint(V, (2, 6), seed=227))
    real = attention_mask.bool()
    check_close(model(other, attention_mask=attention_mask)[real], model(ids, attention_mask=attention_mask)[real],
                "real tokens' outputs after changing the tokens that attention_mask marks as padding (0)",
                "attention_mask is 1 for real tokens and 0 for padding; turn it into a bool (B, 1, 1, T) mask.")


def test_pad_id_is_used(MiniBERT):
    model = _seeded(MiniBERT, pad_id=5)
    ids = torch.tensor([[4, 7, 2, 9, 0, 3]])  # 0 is an ordinary word when pad_id=5
    padded = torch.cat([ids, torch.full((1, 3), 5)], dim=1)
    check_close(model(padded)[:, :6], model(ids), "MiniBERT(pad_id=5): real tokens' outputs after appending 3 pads (id 5)",
                "build the mask with make_padding_mask(input_ids, self.pad_id), not the default pad_id=0.")


def test_dropout_reaches_the_model(MiniBERT):
    ids = randint(V - 1, (2, 6), seed=228) + 1
    model = _seeded(MiniBERT, dropout=0.0)
    trained = model.train()(ids)
    check_close(trained, model.eval()(ids), "MiniBERT(dropout=0.0) in train vs eval mode",
                "pass `dropout` on to the embedding and to every block (the blocks' own default is 0.1).")
    model = _seeded(MiniBERT, dropout=0.5)
    trained = model.train()(ids)
    check_differs(trained, model.eval()(ids), "MiniBERT(dropout=0.5) gives the same output in train and eval mode.",
                  "pass `dropout` on to the embedding and the blocks.")
