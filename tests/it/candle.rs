//! The candle backend (feature `candle`): every rearrange/reduce/repeat/einsum/pack/unpack/
//! parse_shape case of `tests/data/public.jsonl` through `einops::dynamic::candle` (and
//! `dynamic::parse_shape` on a tensor) on candle's CPU device, judged by the same harness as
//! the ndarray API; then every macro on tensors, `&Tensor` and lists of them; then the layers
//! as candle `Module`s, with the successful einmix cases run by `CandleEinMix` on the cases'
//! weights.
//!
//! Results are read back to the host only to compare them: the operations themselves are
//! candle ops. The vectors' dtypes (f32, f64, i64) all exist in candle, so no case is skipped
//! for its dtype.
#![cfg(feature = "candle")]

use std::collections::HashMap;

use crate::common;
use crate::common::shapes::{evaluate_pack, evaluate_parse_shape, evaluate_unpack, packed_shapes};
use crate::common::{evaluate, lengths, Case, Elem, OutRank, Verdict};
use candle_core::{DType, Device, Module, Tensor, WithDType};
use candle_nn::{VarBuilder, VarMap};
use einops::dynamic::candle as dynamic;
use einops::layers::{EinMixSpec, Rearrange, Reduce, Repeat};
use einops::{check_shape, einsum, pack, parse_shape, rearrange, reduce, repeat, unpack};
use ndarray::{Array, ArrayD, IxDyn};

/// Input `k` of `case` as a CPU tensor.
fn input<A: Elem + WithDType>(case: &Case, k: usize) -> Tensor {
    let array = common::input_dyn::<A>(case, k);
    let shape = array.shape().to_vec();
    Tensor::from_vec(array.into_raw_vec_and_offset().0, shape, &Device::Cpu)
        .expect("a vector input fits a tensor")
}

/// A tensor's values as an array, for the harness (which compares arrays).
fn host<A: Elem + WithDType>(tensor: &Tensor) -> ArrayD<A> {
    let values = tensor.flatten_all().and_then(|t| t.to_vec1::<A>());
    let values = values.unwrap_or_else(|e| panic!("tensor of {:?}: {e}", tensor.dtype()));
    Array::from_shape_vec(IxDyn(tensor.dims()), values).expect("as many values as the shape")
}

fn hosted<A: Elem + WithDType>(
    got: Result<Tensor, einops::Error>,
) -> Result<ArrayD<A>, einops::Error> {
    got.map(|t| host(&t))
}

/// Runs one case through `einops::dynamic::candle` with element type `A`.
fn run_case<A: Elem + WithDType>(case: &Case) -> Verdict {
    let lengths = match lengths(case) {
        Ok(l) => l,
        Err(msg) => return Verdict::Fail(format!("cannot express the case: {msg}")),
    };
    let pattern = case.pattern.as_str();
    let inputs: Vec<Tensor> = (0..case.inputs.len())
        .map(|k| input::<A>(case, k))
        .collect();
    let got = match case.op.as_str() {
        "rearrange" | "repeat" | "reduce" if case.list_input => {
            // The macros and `dynamic::candle` take one tensor: a list is stacked first
            // (the vectors' lists all have elements of one shape).
            match Tensor::stack(&inputs, 0) {
                Ok(x) => call(case, &x, &lengths),
                Err(e) => return Verdict::Fail(format!("cannot stack the list: {e}")),
            }
        }
        "rearrange" | "repeat" | "reduce" => call(case, &inputs[0], &lengths),
        "einsum" => dynamic::einsum(&inputs, pattern, &lengths),
        "pack" => {
            let got = dynamic::pack(&inputs, pattern).map(|(t, s)| (host::<A>(&t), s));
            return evaluate_pack(case, &got, OutRank::Dynamic);
        }
        "unpack" => {
            let got = dynamic::unpack(&inputs[0], &packed_shapes(case), pattern)
                .map(|parts| parts.iter().map(host::<A>).collect::<Vec<_>>());
            return evaluate_unpack(case, &got, OutRank::Dynamic);
        }
        "parse_shape" => {
            return evaluate_parse_shape(case, &einops::dynamic::parse_shape(&inputs[0], pattern))
        }
        op => unreachable!("op {op} is filtered out"),
    };
    evaluate(case, &hosted::<A>(got), OutRank::Dynamic)
}

fn call(case: &Case, x: &Tensor, lengths: &[(&str, usize)]) -> Result<Tensor, einops::Error> {
    let pattern = case.pattern.as_str();
    match case.op.as_str() {
        "rearrange" => dynamic::rearrange(x, pattern, lengths),
        "reduce" => {
            let reduction = case.reduction.as_deref().unwrap_or("");
            dynamic::reduce(x, pattern, reduction, lengths)
        }
        _ => dynamic::repeat(x, pattern, lengths),
    }
}

#[test]
fn candle_matches_reference_vectors() {
    // The vectors' dtypes (f32, f64, i64) all exist in candle: nothing is skipped.
    common::check_tensor_backend(
        "candle (CPU)",
        "(none: candle has every dtype and rank)",
        |case| {
            Some(match case.input_dtype() {
                Some("f64") => run_case::<f64>(case),
                Some("f32") => run_case::<f32>(case),
                Some("i64") => run_case::<i64>(case),
                other => Verdict::Fail(format!("input dtype {other:?} has no candle dtype")),
            })
        },
    );
}

// ---------------------------------------------------------------------------------------
// The macros on tensors

fn arange(shape: &[usize], dtype: DType) -> Tensor {
    let len = shape.iter().product::<usize>() as f64;
    Tensor::arange(0f64, len, &Device::Cpu)
        .and_then(|t| t.reshape(shape))
        .and_then(|t| t.to_dtype(dtype))
        .expect("a small tensor")
}

/// The same call on the tensor and on the equivalent ndarray array must agree.
fn same<A: Elem + WithDType + PartialEq>(tensor: &Tensor, array: ArrayD<A>) {
    assert_eq!(host::<A>(tensor), array);
}

fn array_of(tensor: &Tensor) -> ArrayD<f32> {
    host::<f32>(&tensor.to_dtype(DType::F32).unwrap())
}

#[test]
fn rearrange_reduce_repeat_macros_take_tensors_by_value_and_by_reference(
) -> Result<(), einops::Error> {
    let x = arange(&[2, 3, 4], DType::F32);
    let a = array_of(&x);
    let y = rearrange!(&x, "b (h w) c -> c b h w", h = 1)?;
    same(
        &y,
        einops::dynamic::rearrange(&a, "b (h w) c -> c b h w", &[("h", 1)])?,
    );
    for (reduction, expected) in [
        (
            "sum",
            einops::dynamic::reduce(&a, "b c (h 2) -> c b", "sum", &[])?,
        ),
        (
            "prod",
            einops::dynamic::reduce(&a, "b c (h 2) -> c b", "prod", &[])?,
        ),
    ] {
        let got = match reduction {
            "sum" => reduce!(&x, "b c (h 2) -> c b", sum)?,
            _ => reduce!(&x, "b c (h 2) -> c b", prod)?,
        };
        same(&got, expected);
    }
    let mean = reduce!(x.clone(), "b ... -> ...", mean)?;
    same(
        &mean,
        einops::dynamic::reduce(&a, "b ... -> ...", "mean", &[])?,
    );
    let max = reduce!(&x, "b c h -> h", max)?;
    same(&max, einops::dynamic::reduce(&a, "b c h -> h", "max", &[])?);
    let min = reduce!(&x, "b c h -> b", min)?;
    same(&min, einops::dynamic::reduce(&a, "b c h -> b", "min", &[])?);
    let repeated = repeat!(x, "b c h -> (r b) c h k", r = 2, k = 3)?;
    same(
        &repeated,
        einops::dynamic::repeat(&a, "b c h -> (r b) c h k", &[("r", 2), ("k", 3)])?,
    );
    Ok(())
}

#[test]
fn any_and_all_compare_with_zero_and_keep_the_dtype() -> Result<(), Box<dyn std::error::Error>> {
    let x = Tensor::new(&[[0i64, 2], [0, 0], [3, 4]], &Device::Cpu)?;
    let any = reduce!(&x, "a b -> a", any)?;
    let all = reduce!(&x, "a b -> a", all)?;
    assert_eq!(any.dtype(), DType::I64);
    assert_eq!(any.to_vec1::<i64>()?, [1, 0, 1]);
    assert_eq!(all.to_vec1::<i64>()?, [0, 0, 1]);
    Ok(())
}

#[test]
fn run_time_errors_on_tensors_are_the_ndarray_ones() {
    let x = arange(&[2, 7], DType::U8);
    let err = rearrange!(&x, "b (h w) -> b h w", h = 2).unwrap_err();
    assert_eq!(err.kind(), "indivisible_axis");
    assert_eq!(
        err.to_string(),
        "rearrange `b (h w) -> b h w` on input of shape [2, 7] with h = 2: dimension 1 of \
         length 7 cannot be split into group `(h w)`: it is not a multiple of 2 (the product of h)"
    );
    // The rank of a tensor is only known when the code runs.
    let err = rearrange!(&x, "a b c -> c b a").unwrap_err();
    assert_eq!(
        (err.stage(), err.kind()),
        (einops::Stage::Rank, "wrong_ndim")
    );
    let err = reduce!(&x, "a b -> a", mean).unwrap_err();
    assert_eq!(
        (err.stage(), err.kind()),
        (einops::Stage::Dtype, "mean_of_integer")
    );
    assert!(err
        .to_string()
        .ends_with("mean needs floating-point elements, but the array holds u8"));
    let empty = arange(&[2, 0], DType::F32);
    assert_eq!(
        reduce!(&empty, "a b -> a", max).unwrap_err().kind(),
        "empty_reduction"
    );
}

#[test]
fn candle_failures_are_backend_errors() {
    let a = arange(&[2, 3], DType::F32);
    let b = arange(&[3, 2], DType::F64);
    let err = einsum!(&a, &b, "i j, j k -> i k").unwrap_err();
    assert_eq!(
        (err.stage(), err.kind()),
        (einops::Stage::Backend, "backend_error")
    );
    let message = err.to_string();
    assert!(
        message.starts_with(
            "einsum `i j, j k -> i k` on operands of shapes [2, 3], [3, 2]: candle failed: "
        ),
        "{message}"
    );
}

#[test]
fn einsum_macro_lowers_to_matmul_for_floats_and_to_sums_for_integers() -> Result<(), einops::Error>
{
    for dtype in [DType::F32, DType::F64, DType::I64, DType::U8, DType::U32] {
        let diagonal = einsum!(&arange(&[3, 3], dtype), "i i -> i")?;
        assert_eq!(
            array_of(&diagonal),
            ndarray::arr1(&[0f32, 4., 8.]).into_dyn()
        );
    }
    // Not u8: its products of these values overflow, which candle's debug builds panic on.
    for dtype in [DType::F32, DType::F64, DType::I64, DType::U32] {
        let q = arange(&[2, 3, 4], dtype);
        let k = arange(&[2, 5, 4], dtype);
        let scores = einsum!(&q, &k, "b i d, b j d -> b i j")?;
        assert_eq!(scores.dtype(), dtype);
        let (qa, ka) = (array_of(&q), array_of(&k));
        let expected =
            einops::dynamic::einsum(&[qa.clone(), ka.clone()][..], "b i d, b j d -> b i j")?;
        assert_eq!(array_of(&scores), expected, "{dtype:?}");
        let trace = einsum!(q.clone(), "b i i -> b").unwrap_err();
        assert_eq!(trace.kind(), "einsum_axis_length_mismatch");
        let grouped = einsum!(&q, "b i (h e) -> h i", h = 2)?;
        assert_eq!(
            array_of(&grouped),
            einops::dynamic::einsum_with_lengths(&[qa][..], "b i (h e) -> h i", &[("h", 2)])?
        );
    }
    let x = arange(&[2, 1, 3], DType::F32);
    let y = arange(&[4, 3], DType::F32);
    let broadcast = einsum!(x, &y, "... i, ... i -> ...")?;
    assert_eq!(broadcast.dims(), [2, 4]);
    Ok(())
}

#[test]
fn pack_and_unpack_macros_take_lists_of_tensors() -> Result<(), Box<dyn std::error::Error>> {
    let class = arange(&[2, 1, 8], DType::F32);
    let patches = arange(&[2, 4, 4, 8], DType::F32);
    let (tokens, shapes) = pack!([&class, &patches], "b * d")?;
    assert_eq!(tokens.dims(), [2, 1 + 16, 8]);
    assert_eq!(shapes.to_string(), "[[1], [4, 4]]");
    let parts = unpack!(&tokens, &shapes, "b * d")?;
    assert_eq!(parts.len(), 2);
    assert_eq!(array_of(&parts[0]), array_of(&class));
    assert_eq!(array_of(&parts[1]), array_of(&patches));
    let (same_again, _) = pack!(vec![class.clone(), patches.clone()], "b * d")?;
    assert_eq!(array_of(&same_again), array_of(&tokens));
    let list = [class, patches];
    let (from_slice, _) = pack!(&list[..], "b * d")?;
    assert_eq!(array_of(&from_slice), array_of(&tokens));
    let err = pack!([&list[0], &arange(&[3, 8], DType::F32)], "b * d").unwrap_err();
    assert_eq!(err.kind(), "pack_shapes_differ");
    Ok(())
}

#[test]
fn parse_shape_and_check_shape_macros_read_tensor_shapes() -> Result<(), einops::Error> {
    let x = arange(&[2, 3, 4, 5], DType::F32);
    let s = parse_shape!(x, "b _ h w")?;
    assert_eq!((s.b, s.h, s.w), (2, 4, 5));
    let s = check_shape!(&x, "b c ...", c = 3)?;
    assert_eq!(s.b, 2);
    let err = check_shape!(&x, "b c h w", c = 4).unwrap_err();
    assert_eq!(err.kind(), "axis_length_mismatch");
    assert_eq!(
        parse_shape!(x, "b c h").unwrap_err().kind(),
        "parse_shape_wrong_ndim"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The layers as candle modules

#[test]
fn pattern_layers_in_a_candle_sequence_equal_the_macros() -> Result<(), Box<dyn std::error::Error>>
{
    let x = arange(&[2, 3, 4, 6], DType::F32);
    let pool = Reduce!("b c (h 2) (w 3) -> b c h w", max);
    let tokens = Rearrange!("b c h w -> b (h w) c");
    let tile = Repeat!("b n c -> b n c r", r = 2);
    let mean = Reduce!("b n c r -> b c", mean);
    let model = candle_nn::seq()
        .add(pool.clone())
        .add(tokens.clone())
        .add(tile.clone())
        .add(mean);

    let pooled = reduce!(&x, "b c (h 2) (w 3) -> b c h w", max)?;
    let flat = rearrange!(&pooled, "b c h w -> b (h w) c")?;
    let tiled = repeat!(&flat, "b n c -> b n c r", r = 2)?;
    let expected = reduce!(&tiled, "b n c r -> b c", mean)?;
    assert_eq!(array_of(&x.apply(&pool)?), array_of(&pooled));
    assert_eq!(array_of(&pooled.apply(&tokens)?), array_of(&flat));
    assert_eq!(array_of(&flat.apply(&tile)?), array_of(&tiled));
    let got = model.forward(&x)?;
    assert_eq!(got.dims(), [2, 3]);
    assert_eq!(array_of(&got), array_of(&expected));
    Ok(())
}

#[test]
fn layer_errors_through_candle_print_the_einops_message() {
    // The walk-through's ConvNet flatten, given a feature map of 5×5 instead of 4×4.
    let flatten = Rearrange!("b c h w -> b (c h w)", c = 20, h = 4, w = 4);
    let x = Tensor::zeros((16, 20, 5, 5), DType::F32, &Device::Cpu).unwrap();
    let err = candle_nn::seq()
        .add(flatten.clone())
        .forward(&x)
        .unwrap_err();
    let typed = einops::candle::apply(&x, flatten.recipe(), flatten.lengths()).unwrap_err();
    assert_eq!(typed.kind(), "axis_length_mismatch");
    assert_eq!(err.to_string(), typed.to_string());
    assert!(typed.to_string().contains("`h`"), "{typed}");
}

/// Parameters by name, as candle loads them from a file.
fn loaded(parameters: Vec<(&str, Tensor)>) -> VarBuilder<'static> {
    let tensors: HashMap<String, Tensor> = parameters
        .into_iter()
        .map(|(name, t)| (name.to_owned(), t))
        .collect();
    VarBuilder::from_tensors(tensors, DType::F64, &Device::Cpu)
}

#[test]
fn candle_einmix_matches_the_reference_vectors() {
    let cases: Vec<&Case> = common::cases()
        .iter()
        .filter(|c| c.op == "einmix" && c.expected.is_some())
        .collect();
    assert_eq!(cases.len(), 5);
    for case in cases {
        let lengths = lengths(case).expect("einmix lengths are plain");
        let mut parameters = vec![("weight", input::<f64>(case, 1))];
        if case.bias_shape.is_some() {
            parameters.push(("bias", input::<f64>(case, 2)));
        }
        let got = EinMixSpec::new(
            &case.pattern,
            case.weight_shape
                .as_deref()
                .expect("an einmix case has a weight shape"),
            case.bias_shape.as_deref(),
            &lengths,
        )
        .and_then(|spec| spec.candle(loaded(parameters)))
        .and_then(|mix| mix.forward(&input::<f64>(case, 0)));
        common::report(case, evaluate(case, &hosted::<f64>(got), OutRank::Dynamic));
    }
}

#[test]
fn candle_einmix_initialises_within_einops_bounds() -> Result<(), Box<dyn std::error::Error>> {
    // fan_in = c * k = 12 (the weight axes the output lacks); `h` is in the output.
    let spec = EinMixSpec!(
        "b (h c) k -> b h d",
        weight_shape = "h c k d",
        bias_shape = "h d",
        h = 2,
        c = 4,
        k = 3,
        d = 50
    );
    let vars = VarMap::new();
    let mix = spec.candle(VarBuilder::from_varmap(&vars, DType::F32, &Device::Cpu).pp("mix"))?;
    let mut names: Vec<String> = vars.data().lock().unwrap().keys().cloned().collect();
    names.sort();
    assert_eq!(names, ["mix.bias", "mix.weight"]);
    assert_eq!(mix.weight().dims(), [2, 4, 3, 50]);
    let bias = mix.bias().expect("a bias");
    assert_eq!(bias.dims(), [1, 2, 50]); // b h d, b broadcast

    let largest = |t: &Tensor| t.abs()?.flatten_all()?.max(0)?.to_scalar::<f32>();
    let (weight_bound, bias_bound) = ((3.0f32 / 12.0).sqrt(), (1.0f32 / 12.0).sqrt());
    let weight_max = largest(mix.weight())?;
    assert!(
        weight_max <= weight_bound && weight_max > 0.9 * weight_bound,
        "{weight_max}"
    );
    let bias_max = largest(bias)?;
    assert!(
        bias_max <= bias_bound && bias_max > 0.8 * bias_bound,
        "{bias_max}"
    );
    let mean = mix.weight().mean_all()?.to_scalar::<f32>()?;
    assert!(mean.abs() < 0.05, "weights are not centred: mean {mean}");

    let y = Tensor::ones((5, 8, 3), DType::F32, &Device::Cpu)?.apply(&mix)?;
    assert_eq!(y.dims(), [5, 2, 50]);
    Ok(())
}

#[test]
fn candle_einmix_parameters_of_another_shape_are_backend_errors() {
    let spec = EinMixSpec!(
        "b c -> b d",
        weight_shape = "c d",
        bias_shape = "d",
        c = 3,
        d = 2
    );
    let weight = Tensor::zeros((2, 3), DType::F64, &Device::Cpu).unwrap();
    let err = spec.candle(loaded(vec![("weight", weight)])).unwrap_err();
    assert_eq!(
        (err.stage(), err.kind()),
        (einops::Stage::Backend, "backend_error")
    );
    assert!(
        err.to_string()
            .starts_with("EinMix `b c -> b d` with c = 3, d = 2: candle failed: "),
        "{err}"
    );
}

/// A permutation or a split on a tensor is candle's own view: the result shares the input's
/// storage layout (not contiguous after a permutation), with the same values as a copy.
#[test]
fn candle_permutations_and_splits_stay_views() {
    let x = arange(&[2, 3, 4, 5], DType::F32);
    let nhwc = rearrange!(&x, "b c h w -> b h w c").unwrap();
    assert!(
        !nhwc.is_contiguous(),
        "a permutation should be candle's permuted view"
    );
    assert_eq!(
        nhwc.contiguous()
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap(),
        x.permute((0, 2, 3, 1))
            .unwrap()
            .contiguous()
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap()
    );
    let heads = rearrange!(
        &x.reshape((2, 3, 20)).unwrap(),
        "b t (h d) -> b h t d",
        h = 4
    )
    .unwrap();
    assert!(
        !heads.is_contiguous(),
        "a split then permutation should stay a view"
    );
    let split = rearrange!(&x, "b c h (w two) -> b c h w two", two = 1).unwrap();
    assert!(split.is_contiguous());
}
