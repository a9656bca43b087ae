"""Tiny BERT and Llama building blocks, written so `torch.onnx.export` (torch 1.13, opset 17) traces
them with dynamic batch and sequence axes: no data-dependent Python control flow, masks as additive
biases, rotary angles computed from position tensors inside the graph."""
import math

import torch
from torch import nn

# Added to masked attention scores; exp() of it underflows to exactly 0 in float32, so padded keys
# change nothing and batched results equal one-at-a-time ones (an -inf would give NaN rows).
MASKED_SCORE = -1e9


def _split_heads(x: torch.Tensor, heads: int) -> torch.Tensor:
    batch, length, width = x.shape
    return x.view(batch, length, heads, width // heads).transpose(1, 2)


def _merge_heads(x: torch.Tensor) -> torch.Tensor:
    batch, heads, length, head_dim = x.shape
    return x.transpose(1, 2).reshape(batch, length, heads * head_dim)


def _attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, bias: torch.Tensor, scale: float) -> torch.Tensor:
    scores = torch.matmul(q, k.transpose(-1, -2)) * scale + bias
    return torch.matmul(torch.softmax(scores, dim=-1), v)


# ── BERT (LogLLM's message encoder) ───────────────────────────────────────────────────────────────

class BertLayer(nn.Module):
    """Post-norm transformer layer as in BERT: x = LN(x + attn(x)); x = LN(x + FFN(x)), GELU FFN."""

    def __init__(self, hidden: int, heads: int, ffn: int, dropout: float):
        super().__init__()
        self.heads = heads
        self.scale = 1 / math.sqrt(hidden // heads)
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.out = nn.Linear(hidden, hidden)
        self.attn_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.ffn = nn.Sequential(nn.Linear(hidden, ffn), nn.GELU(), nn.Linear(ffn, hidden))
        self.ffn_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        q, k, v = (_split_heads(t, self.heads) for t in self.qkv(x).chunk(3, dim=-1))
        x = self.attn_norm(x + self.dropout(self.out(_merge_heads(_attend(q, k, v, bias, self.scale)))))
        return self.ffn_norm(x + self.dropout(self.ffn(x)))


class TinyBertEncoder(nn.Module):
    """Token + learned position embeddings, BERT layers, and BERT's pooler (tanh(dense([CLS]))), LogLLM's `pooler_output`."""

    def __init__(self, vocab_size: int, hidden: int, layers: int, heads: int, ffn: int, max_positions: int, dropout: float):
        super().__init__()
        self.tokens = nn.Embedding(vocab_size, hidden)
        self.positions = nn.Embedding(max_positions, hidden)
        self.embedding_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.ModuleList(BertLayer(hidden, heads, ffn, dropout) for _ in range(layers))
        self.pooler = nn.Linear(hidden, hidden)

    def token_states(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """The last layer's hidden state of every token (what the pooler reads)."""
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        x = self.dropout(self.embedding_norm(self.tokens(input_ids) + self.positions(positions)))
        bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * MASKED_SCORE
        for layer in self.layers:
            x = layer(x, bias)
        return x

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.pooler(self.token_states(input_ids, attention_mask)[:, 0]))


# ── Llama (LogLLM's decoder, and the causal LM) ───────────────────────────────────────────────────

class RMSNorm(nn.Module):
    def __init__(self, hidden: int, eps: float = 1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.weight * x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)


class RotaryAngles(nn.Module):
    """Llama's rotary embedding: cos/sin of position × inverse frequency, for [batch, 1, seq, head_dim]."""

    def __init__(self, head_dim: int, theta: float):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / theta ** (torch.arange(0, head_dim, 2).float() / head_dim), persistent=False)

    def forward(self, position_ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        angles = position_ids[..., None].float() * self.inv_freq
        angles = torch.cat([angles, angles], dim=-1)[:, None]
        return angles.cos(), angles.sin()


def _rotate(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    rotated_half = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
    return x * cos + rotated_half * sin


def _take_positions(t: torch.Tensor, index: torch.Tensor, dim: int) -> torch.Tensor:
    """Row r of t at position index[r] along `dim`, which stays with size 1."""
    t = t.expand(index.shape[0], *t.shape[1:])
    shape = list(t.shape)
    shape[dim] = 1
    return t.gather(dim, index.view([index.shape[0]] + [1] * (t.dim() - 1)).expand(shape))


class LlamaBlock(nn.Module):
    """Pre-norm Llama layer: RMSNorm → rotary causal attention (no biases) → RMSNorm → SwiGLU MLP."""

    def __init__(self, hidden: int, heads: int, ffn: int):
        super().__init__()
        self.heads = heads
        self.scale = 1 / math.sqrt(hidden // heads)
        self.attn_norm = RMSNorm(hidden)
        self.q_proj = nn.Linear(hidden, hidden, bias=False)
        self.k_proj = nn.Linear(hidden, hidden, bias=False)
        self.v_proj = nn.Linear(hidden, hidden, bias=False)
        self.o_proj = nn.Linear(hidden, hidden, bias=False)
        self.mlp_norm = RMSNorm(hidden)
        self.gate_proj = nn.Linear(hidden, ffn, bias=False)
        self.up_proj = nn.Linear(hidden, ffn, bias=False)
        self.down_proj = nn.Linear(ffn, hidden, bias=False)

    def forward(self, x, cos, sin, bias, past_key=None, past_value=None, query_index=None):
        """Returns the new hidden states and this layer's keys/values (past ones included).

        With `query_index` ([batch] positions) only that position of each row is computed past the
        keys/values — a last layer whose other outputs nobody reads skips most of its work.
        """
        h = self.attn_norm(x)
        k = _rotate(_split_heads(self.k_proj(h), self.heads), cos, sin)
        v = _split_heads(self.v_proj(h), self.heads)
        if query_index is not None:
            x, h = _take_positions(x, query_index, 1), _take_positions(h, query_index, 1)
            cos, sin, bias = (_take_positions(t, query_index, 2) for t in (cos, sin, bias))
        q = _rotate(_split_heads(self.q_proj(h), self.heads), cos, sin)
        if past_key is not None:
            k = torch.cat([past_key, k], dim=2)
            v = torch.cat([past_value, v], dim=2)
        x = x + self.o_proj(_merge_heads(_attend(q, k, v, bias, self.scale)))
        h = self.mlp_norm(x)
        return x + self.down_proj(nn.functional.silu(self.gate_proj(h)) * self.up_proj(h)), k, v


def causal_bias(key_mask: torch.Tensor, query_length: int) -> torch.Tensor:
    """[batch, 1, query, key] additive bias: a query sees keys up to its own position that the mask keeps.

    The queries are the last `query_length` positions of the key sequence (a KV cache holds the rest).
    """
    key_length = key_mask.shape[1]
    key_index = torch.arange(key_length, device=key_mask.device)
    query_index = key_index[key_length - query_length:]
    visible = (key_index[None, :] <= query_index[:, None])[None, None] & (key_mask[:, None, None, :] > 0)
    return (~visible).to(torch.float32) * MASKED_SCORE
