//! The reference-vector line format (`shared/vectors/README.md`) as plain Rust data.
//!
//! This file depends on `serde_json` and `std` only, because it is compiled twice: into the
//! test binaries (through `tests/it/common/mod.rs`) and into the generator
//! `tools/gen-vector-tests` (through `#[path]`), so the two can never disagree about what a
//! case says.

// Each includer uses a different subset of this model.
#![allow(dead_code)]

use serde_json::Value;

/// One line of `public.jsonl`, reduced to what the harnesses read.
#[derive(Debug, Clone)]
pub struct Case {
    /// Unique dotted id, e.g. `seed.split_tb`.
    pub id: String,
    /// `rearrange`, `reduce`, `repeat`, `einsum`, `pack`, `unpack`, `parse_shape` or `einmix`.
    pub op: String,
    /// The pattern exactly as passed to einops.
    pub pattern: String,
    /// The reduction name for `reduce` (possibly invalid on purpose), else `None`.
    pub reduction: Option<String>,
    /// Keyword axis lengths. serde_json sorts object keys, so this is in name order, not
    /// in the order einops received them; the README says the order only affects message text.
    pub axes_lengths: Vec<(String, i64)>,
    /// Input specifications, input k holding `arange + 1000 * k`.
    pub inputs: Vec<InputSpec>,
    /// Whether the inputs are passed as a list (stacked on a new axis 0).
    pub list_input: bool,
    /// unpack: the packed-shapes argument, `-1` for an unknown dimension.
    pub packed_shapes: Option<Vec<Vec<i64>>>,
    /// einmix: the layer's `weight_shape` argument.
    pub weight_shape: Option<String>,
    /// einmix: the layer's `bias_shape` argument (`None` also for a layer without bias).
    pub bias_shape: Option<String>,
    /// The `expected` object of a success case, undecoded because its shape depends on `op`.
    pub expected: Option<Value>,
    /// The expected error of an error case.
    pub expected_error: Option<ExpectedError>,
    /// Set when the recorded behaviour is an accident of einops/numpy.
    pub quirk: Option<String>,
}

/// einmix: the weight's shape and the bias's (`None` without bias).
pub type ParameterShapes = (Vec<usize>, Option<Vec<usize>>);

/// `{"shape": [...], "dtype": ..., "start": ...}` of one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSpec {
    /// Row-major shape; may be empty (0-d) or contain 0.
    pub shape: Vec<usize>,
    /// `f64`, `f32` or `i64`.
    pub dtype: String,
    /// Value of the first element.
    pub start: i64,
}

/// `expected_error`: what a port must assert on (stage and kind, never message text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedError {
    /// `pattern`, `rank`, `shape` or `dtype`.
    pub stage: String,
    /// Stable machine-readable category, e.g. `axis_length_mismatch`.
    pub kind: String,
}

/// The array encoding `{"shape", "dtype", "values"}` used by every expected result.
#[derive(Debug, Clone)]
pub struct ExpectedArray {
    /// Output shape.
    pub shape: Vec<usize>,
    /// `f64`, `f32`, `i64` or `bool`.
    pub dtype: String,
    /// Row-major values: integers for `i64`/`bool` (0/1), numbers for floats.
    pub values: Vec<Value>,
}

impl Case {
    /// Name of the stage the case ends in: the expected error's stage, or `"ok"`.
    pub fn stage(&self) -> &str {
        self.expected_error
            .as_ref()
            .map_or("ok", |e| e.stage.as_str())
    }

    /// Whether the case is one of the three ops this harness covers.
    pub fn is_rearrange_family(&self) -> bool {
        matches!(self.op.as_str(), "rearrange" | "reduce" | "repeat")
    }

    /// The dtype shared by all inputs; `None` if they differ (the README promises they never do
    /// for list inputs, so a harness treats `None` as a broken vector file).
    pub fn input_dtype(&self) -> Option<&str> {
        let first = self.inputs.first()?.dtype.as_str();
        self.inputs
            .iter()
            .all(|i| i.dtype == first)
            .then_some(first)
    }

    /// Decodes `expected` as an array encoding (rearrange/reduce/repeat/einsum results).
    pub fn expected_array(&self) -> Result<Option<ExpectedArray>, String> {
        let Some(exp) = &self.expected else {
            return Ok(None);
        };
        array(exp)
            .map(Some)
            .map_err(|e| format!("{}: expected.{e}", self.id))
    }

    /// unpack: the arrays of `expected.outputs`.
    pub fn expected_outputs(&self) -> Result<Option<Vec<ExpectedArray>>, String> {
        let Some(exp) = &self.expected else {
            return Ok(None);
        };
        let ctx = |e: String| format!("{}: expected.outputs: {e}", self.id);
        field(exp, "outputs")
            .map_err(ctx)?
            .as_array()
            .ok_or_else(|| ctx("not an array".into()))?
            .iter()
            .map(|output| array(output).map_err(ctx))
            .collect::<Result<_, _>>()
            .map(Some)
    }

    /// einmix: `expected.weight_shape` and `expected.bias_shape`, the parameter shapes the
    /// layer must create.
    pub fn expected_parameter_shapes(&self) -> Result<Option<ParameterShapes>, String> {
        let Some(exp) = &self.expected else {
            return Ok(None);
        };
        let ctx = |e: String| format!("{}: expected parameter shapes: {e}", self.id);
        let weight = usize_list(field(exp, "weight_shape").map_err(ctx)?).map_err(ctx)?;
        let bias = match field(exp, "bias_shape").map_err(ctx)? {
            Value::Null => None,
            shape => Some(usize_list(shape).map_err(ctx)?),
        };
        Ok(Some((weight, bias)))
    }

    /// pack: `expected.packed_shapes`.
    pub fn expected_packed_shapes(&self) -> Result<Option<Vec<Vec<usize>>>, String> {
        let Some(exp) = &self.expected else {
            return Ok(None);
        };
        let ctx = |e: String| format!("{}: expected.packed_shapes: {e}", self.id);
        field(exp, "packed_shapes")
            .map_err(ctx)?
            .as_array()
            .ok_or_else(|| ctx("not an array".into()))?
            .iter()
            .map(|shape| usize_list(shape).map_err(ctx))
            .collect::<Result<_, _>>()
            .map(Some)
    }

    /// parse_shape: `expected.axes` as (name, length) pairs (serde_json orders them by name).
    pub fn expected_axes(&self) -> Result<Option<Vec<(String, usize)>>, String> {
        let Some(exp) = &self.expected else {
            return Ok(None);
        };
        let ctx = |e: String| format!("{}: expected.axes: {e}", self.id);
        field(exp, "axes")
            .map_err(ctx)?
            .as_object()
            .ok_or_else(|| ctx("not an object".into()))?
            .iter()
            .map(|(name, n)| {
                let n = n.as_u64().and_then(|n| usize::try_from(n).ok());
                n.map(|n| (name.clone(), n))
                    .ok_or_else(|| ctx(format!("{name} is not a length")))
            })
            .collect::<Result<_, _>>()
            .map(Some)
    }
}

/// Decodes an array encoding `{"shape", "dtype", "values"}`.
fn array(v: &Value) -> Result<ExpectedArray, String> {
    let shape = usize_list(field(v, "shape")?).map_err(|e| format!("shape: {e}"))?;
    let dtype = string(field(v, "dtype")?).map_err(|e| format!("dtype: {e}"))?;
    let values = field(v, "values")?
        .as_array()
        .ok_or("values is not an array")?
        .clone();
    let len: usize = shape.iter().product();
    if values.len() != len {
        return Err(format!(
            "values has {} entries for shape {shape:?}",
            values.len()
        ));
    }
    Ok(ExpectedArray {
        shape,
        dtype,
        values,
    })
}

/// Parses a whole `public.jsonl`; errors name the 1-based line.
pub fn parse_cases(text: &str) -> Result<Vec<Case>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| parse_case(line).map_err(|e| format!("line {}: {e}", n + 1)))
        .collect()
}

/// Parses one line.
pub fn parse_case(line: &str) -> Result<Case, String> {
    let v: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let id = string(field(&v, "id")?)?;
    let ctx = |e: String| format!("{id}: {e}");
    let reduction = match field(&v, "reduction").map_err(ctx)? {
        Value::Null => None,
        other => Some(string(other).map_err(ctx)?),
    };
    let axes_lengths = field(&v, "axes_lengths")
        .map_err(ctx)?
        .as_object()
        .ok_or_else(|| ctx("axes_lengths is not an object".into()))?
        .iter()
        .map(|(k, n)| {
            n.as_i64()
                .map(|n| (k.clone(), n))
                .ok_or_else(|| ctx(format!("axis length {k} is not an integer")))
        })
        .collect::<Result<_, _>>()?;
    let inputs = field(&v, "inputs")
        .map_err(ctx)?
        .as_array()
        .ok_or_else(|| ctx("inputs is not an array".into()))?
        .iter()
        .map(|spec| {
            Ok(InputSpec {
                shape: usize_list(field(spec, "shape")?)?,
                dtype: string(field(spec, "dtype")?)?,
                start: field(spec, "start")?
                    .as_i64()
                    .ok_or("start is not an integer")?,
            })
        })
        .collect::<Result<_, String>>()
        .map_err(ctx)?;
    let expected_error = match v.get("expected_error") {
        None => None,
        Some(e) => Some(ExpectedError {
            stage: string(field(e, "stage").map_err(ctx)?).map_err(ctx)?,
            kind: string(field(e, "kind").map_err(ctx)?).map_err(ctx)?,
        }),
    };
    let expected = v.get("expected").cloned();
    if expected.is_some() == expected_error.is_some() {
        return Err(ctx(
            "exactly one of expected / expected_error must be present".into(),
        ));
    }
    Ok(Case {
        op: string(field(&v, "op").map_err(ctx)?).map_err(ctx)?,
        pattern: string(field(&v, "pattern").map_err(ctx)?).map_err(ctx)?,
        reduction,
        axes_lengths,
        inputs,
        list_input: v
            .get("list_input")
            .map(|b| {
                b.as_bool()
                    .ok_or_else(|| ctx("list_input is not a bool".into()))
            })
            .transpose()?
            .unwrap_or(false),
        packed_shapes: v
            .get("packed_shapes")
            .map(|p| int_lists(p).map_err(ctx))
            .transpose()?,
        weight_shape: v
            .get("weight_shape")
            .map(|w| string(w).map_err(ctx))
            .transpose()?,
        bias_shape: match v.get("bias_shape") {
            None | Some(Value::Null) => None,
            Some(b) => Some(string(b).map_err(ctx)?),
        },
        expected,
        expected_error,
        quirk: v.get("quirk").map(|q| string(q).map_err(ctx)).transpose()?,
        id,
    })
}

fn field<'a>(v: &'a Value, key: &str) -> Result<&'a Value, String> {
    v.get(key).ok_or_else(|| format!("missing key `{key}`"))
}

fn string(v: &Value) -> Result<String, String> {
    v.as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("{v} is not a string"))
}

fn usize_list(v: &Value) -> Result<Vec<usize>, String> {
    v.as_array()
        .ok_or_else(|| format!("{v} is not an array"))?
        .iter()
        .map(|n| {
            n.as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| format!("{n} is not a length"))
        })
        .collect()
}

fn int_lists(v: &Value) -> Result<Vec<Vec<i64>>, String> {
    let ints =
        |list: &Value| -> Option<Vec<i64>> { list.as_array()?.iter().map(Value::as_i64).collect() };
    v.as_array()
        .ok_or_else(|| format!("{v} is not an array"))?
        .iter()
        .map(|list| ints(list).ok_or_else(|| format!("{list} is not a list of integers")))
        .collect()
}
