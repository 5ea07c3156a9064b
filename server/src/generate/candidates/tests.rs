use super::*;
use crate::generate::mine;
use crate::generate::resolve::{ModuleInfo, Workspace};
use crate::python;
use std::path::Path;

/// The candidates of every parameter of `function` in `src` (module `m`),
/// one line per parameter: `name: expr [label], …`, mined values marked `*`.
fn candidates_of(src: &str, function: &str) -> String {
    let mut parser = python::parser();
    let tree = python::parse(&mut parser, src.as_bytes(), None).unwrap();
    let info = Rc::new(ModuleInfo::from_tree(Path::new("m.py"), "m", &tree, src.as_bytes()));
    let ws = Workspace::new(Vec::new());
    ws.insert(info.clone());
    let f = info.model.functions.iter().find(|f| f.qualname == function).unwrap();
    let comparisons = mine::comparisons(tree.root_node(), src.as_bytes(), f);
    let usage = crate::generate::usage::usages(tree.root_node(), src.as_bytes(), f);
    let ctx = Context {
        ws: &ws,
        owner: info.clone(),
    };
    let mut out = String::new();
    for p in &f.params {
        let on: Vec<&Comparison> = comparisons.iter().filter(|c| c.param == p.name).collect();
        let values: Vec<String> = for_param_with(&ctx, p, &on, usage.get(&p.name))
            .iter()
            .map(|c| {
                let star = if c.mined { "*" } else { "" };
                format!("{}{star} [{}]", c.expr, c.label)
            })
            .collect();
        out.push_str(&format!("{}: {}\n", p.name, values.join(", ")));
    }
    out
}

#[track_caller]
fn check(src: &str, function: &str, expect: &str) {
    let got = candidates_of(src, function);
    let want = expect.trim_start_matches('\n');
    assert_eq!(got, want, "\n--- got ---\n{got}--- want ---\n{want}");
}

#[test]
fn numbers_around_each_bound() {
    check(
        r#"
def bulk(qty: int, rate: float = 0.5):
    if qty > 100:
        return 1
    if rate <= 0.25:
        return 2
"#,
        "bulk",
        r#"
qty: 2 [qty_2], 99* [qty_below_100], 100* [qty_at_100], 101* [qty_above_100], 1 [qty_1], 0 [qty_zero], -1 [qty_minus_1], 10 [qty_10], 1234567 [qty_large]
rate: 1.5 [rate_1_5], 0.125* [rate_below_0_25], 0.25* [rate_at_0_25], 0.375* [rate_above_0_25], 0.0 [rate_zero], -1.0 [rate_negative], 100.0 [rate_100], 1234567.25 [rate_large], float("inf") [rate_infinite]
"#,
    );
}

#[test]
fn strings_compared_and_listed() {
    check(
        r#"
def export(fmt: str, country):
    if fmt == "json":
        return 1
    match fmt.lower():
        case "csv" | 'tsv':
            return 2
    if country in ("EU", "US"):
        return 3
"#,
        "export",
        r#"
fmt: "abc" [fmt_abc], "json"* [fmt_json], "other"* [fmt_other], "csv"* [fmt_csv], "tsv"* [fmt_tsv], "" [fmt_empty], "Hello, World!" [fmt_text]
country: 1 [country_1], "EU"* [country_eu], "US"* [country_us], "other"* [country_other], "abc" [country_abc], None [country_none]
"#,
    );
}

#[test]
fn lengths_of_collections_and_strings() {
    check(
        r#"
def pick(items: list[str], code: str):
    if len(items) >= 3:
        return items[0]
    if len(code) != 2:
        raise ValueError(code)
"#,
        "pick",
        r#"
items: ["abc", ""] [items_two], ["abc", "", "abc"]* [items_len_3], ["abc", "", "abc", ""]* [items_len_4], [] [items_empty], ["abc"] [items_single]
code: "abc" [code_abc], "a"* [code_len_1], "ab"* [code_len_2], "" [code_empty], "Hello, World!" [code_text]
"#,
    );
}

#[test]
fn optional_literal_enum_and_dataclass() {
    check(
        r#"
import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Optional

class Color(enum.Enum):
    RED = "r"
    GREEN = "g"

@dataclass
class Item:
    sku: str
    price: Decimal
    qty: int = 1

def paint(color: Color, mode: Literal["fast", "slow"], item: Item, limit: Optional[int] = None):
    pass
"#,
        "paint",
        r#"
color: Color.RED [color_red], Color.GREEN [color_green]
mode: "fast" [mode_fast], "slow" [mode_slow]
item: Item("abc", Decimal("1.50")) [item_item]
limit: 2 [limit_2], 1 [limit_1], 0 [limit_zero], -1 [limit_minus_1], 10 [limit_10], 1234567 [limit_large], None [limit_none]
"#,
    );
}

#[test]
fn names_hint_at_paths_streams_and_flags() {
    check(
        r#"
from pathlib import Path

def save(path: Path, out_dir, stream, verbose=False, *names):
    pass
"#,
        "save",
        r#"
path: tmp_path / "sample.txt" [path_existing_file], tmp_path / "missing.txt" [path_missing_file], tmp_path [path_directory]
out_dir: tmp_path [out_dir_tmp_dir], tmp_path / "new_dir" [out_dir_new_dir]
stream: io.StringIO() [stream_empty_stream], io.StringIO("abc\n") [stream_stream]
verbose: True [verbose_true], False [verbose_false]
names: ["abc", "Hello, World!"] [names_two], [] [names_empty], ["abc"] [names_single]
"#,
    );
}

#[test]
fn decimals_keep_their_type_at_bounds() {
    check(
        r#"
from decimal import Decimal

def tax(amount: Decimal | None):
    if amount < 0:
        raise ValueError
"#,
        "tax",
        r#"
amount: Decimal("1.50") [amount_1_50], Decimal("-1")* [amount_below_0], Decimal("0")* [amount_at_0], Decimal("1")* [amount_above_0], Decimal("100") [amount_100], None [amount_none]
"#,
    );
}

#[test]
fn values_carry_their_imports_and_setup() {
    let src = "from pathlib import Path\nimport datetime\n\
               def f(p: Path, when: datetime.date, d: 'Decimal'): pass\n";
    let mut parser = python::parser();
    let tree = python::parse(&mut parser, src.as_bytes(), None).unwrap();
    let info = Rc::new(ModuleInfo::from_tree(Path::new("m.py"), "m", &tree, src.as_bytes()));
    let ws = Workspace::new(Vec::new());
    ws.insert(info.clone());
    let ctx = Context {
        ws: &ws,
        owner: info.clone(),
    };
    let f = &info.model.functions[0];
    let path = for_param_with(&ctx, &f.params[0], &[], None);
    assert!(path[0].tmp_path);
    assert_eq!(path[0].setup, ["(tmp_path / \"sample.txt\").write_text(\"hello\\n\")"]);
    let when = for_param_with(&ctx, &f.params[1], &[], None);
    assert_eq!(when[0].expr, "datetime.date(2024, 1, 31)");
    assert!(when[0].imports.contains("import datetime"));
    let d = for_param_with(&ctx, &f.params[2], &[], None);
    assert!(d[0].imports.contains("from decimal import Decimal"));
}

#[test]
fn untyped_parameters_take_the_shape_of_their_uses() {
    check(
        r#"
def f(d, func, seq, int_list, funcs, fname, x, it):
    for k, v in d.items():
        func(v)
    for item in seq:
        pass
    if isinstance(x, (bytes, list)):
        return sorted(int_list), reversed(funcs)
    return helper(*tee(it))
"#,
        "f",
        r#"
d: {"abc": 2} [d_single], {} [d_empty], 1 [d_1], "abc" [d_abc], None [d_none]
func: lambda *args, **kwargs: None [func_noop], str [func_str]
seq: ["a", "b"] [seq_two], [] [seq_empty], ["a"] [seq_single], [1, 2] [seq_two], [1] [seq_single], iter([1, 2]) [seq_iterator]
int_list: [1, 2] [int_list_two], [] [int_list_empty], [1] [int_list_single], iter([1, 2]) [int_list_iterator]
funcs: [lambda *args, **kwargs: None, str] [funcs_two], [] [funcs_empty], [lambda *args, **kwargs: None] [funcs_single], iter([lambda *args, **kwargs: None, str]) [funcs_iterator], 1 [funcs_1], "abc" [funcs_abc], None [funcs_none]
fname: tmp_path / "sample.txt" [fname_existing_file], tmp_path / "missing.txt" [fname_missing_file], tmp_path [fname_directory], "abc" [fname_abc]
x: 1 [x_1], b"abc"* [x_bytes], [1, 2]* [x_two], "abc" [x_abc], None [x_none]
it: 1 [it_1], "abc" [it_abc], [1, 2] [it_list], None [it_none]
"#,
    );
}

#[test]
fn table_keys_and_affixes() {
    check(
        r##"
import enum

class Unit(enum.Enum):
    SECONDS = 1
    MINUTES = 2

SUFFIXES = {"kb": 1, "mb": 2}

def f(unit, suffix, word):
    u = Unit[unit.upper()]
    if word.endswith("ies") or word.startswith("#"):
        return SUFFIXES.get(suffix)
"##,
        "f",
        r##"
unit: "abc" [unit_abc], "seconds"* [unit_seconds], "minutes"* [unit_minutes], "" [unit_empty], "Hello, World!" [unit_text], 1 [unit_1], None [unit_none]
suffix: "abc" [suffix_abc], "kb"* [suffix_kb], "mb"* [suffix_mb], "" [suffix_empty], "Hello, World!" [suffix_text]
word: "abc" [word_abc], "abcies"* [word_ending_with_ies], "#abc"* [word_starting_with_symbol], "" [word_empty], "Hello, World!" [word_text]
"##,
    );
}

/// What each name suggests, one hint per block: the names a parameter is
/// called, with prefixes, suffixes, plurals and dunder or upper-case spellings
/// around them. Pins the order of `Hint::of`'s rows (the first match wins).
const NAME_HINTS: &str = r#"
FilePath:
    path my_path _PATH_ filename my_filename _FILENAME_ filepath my_filepath _FILEPATH_ fname my_fname _FNAME_
    file_name my_file_name _FILE_NAME_ file_path my_file_path _FILE_PATH_ xfile_path src_file my_src_file
    _SRC_FILE_ xsrc_file file my_file _FILE_ input_file output_file log_file url_path count_file n_file is_file
    max_path FILE
Directory:
    dir my_dir _DIR_ directory my_directory _DIRECTORY_ folder my_folder _FOLDER_ dirname my_dirname _DIRNAME_
    root my_root _ROOT_ root_dir is_dir
Stream:
    stream _STREAM_ fp _FP_ fh _FH_ fileobj _FILEOBJ_ buffer _BUFFER_ buf _BUF_ out _OUT_ output _OUTPUT_
Count:
    n my_n n_x _N_ count my_count _COUNT_ size my_size _SIZE_ num my_num num_x _NUM_ number my_number _NUMBER_
    length my_length _LENGTH_ limit my_limit _LIMIT_ times my_times _TIMES_ qty my_qty _QTY_ quantity
    my_quantity _QUANTITY_ width my_width _WIDTH_ height my_height _HEIGHT_ depth my_depth _DEPTH_ retries
    my_retries _RETRIES_ attempts my_attempts _ATTEMPTS_ total my_total _TOTAL_ capacity my_capacity _CAPACITY_
    k my_k _K_ max_x min_x max_len num_items n_items file_count n_bytes min_rate num_ __n__
Index:
    index my_index _INDEX_ idx my_idx _IDX_ i my_i _I_ j my_j _J_ pos my_pos _POS_ position my_position
    _POSITION_ offset my_offset _OFFSET_ start my_start _START_ end my_end _END_ stop my_stop _STOP_ start_index
Float:
    rate my_rate _RATE_ ratio my_ratio _RATIO_ factor my_factor _FACTOR_ percent my_percent _PERCENT_
    probability my_probability _PROBABILITY_ weight my_weight _WEIGHT_ timeout my_timeout _TIMEOUT_ delay
    my_delay _DELAY_ threshold my_threshold _THRESHOLD_ scale my_scale _SCALE_ alpha my_alpha _ALPHA_ tolerance
    my_tolerance _TOLERANCE_ seconds my_seconds _SECONDS_
Bool:
    flag _FLAG_ strict _STRICT_ verbose _VERBOSE_ force _FORCE_ dry_run _DRY_RUN_ recursive _RECURSIVE_ reverse
    _REVERSE_ quiet _QUIET_ is_x has_x use_x allow_x enable_x is_valid has_key use_cache allow_empty enable_log
    is_name use_text
Bytes:
    bytes my_bytes _BYTES_ bytestring my_bytestring _BYTESTRING_ blob my_blob _BLOB_ payload my_payload
    _PAYLOAD_ raw my_raw _RAW_ data_bytes my_data_bytes _DATA_BYTES_ xdata_bytes
Email:
    email my_email _EMAIL_
Url:
    url my_url _URL_ uri my_uri _URI_ link my_link _LINK_ href my_href _HREF_
Text:
    text my_text _TEXT_ message my_message _MESSAGE_ msg my_msg _MSG_ content my_content _CONTENT_ body my_body
    _BODY_ s my_s _S_ string my_string _STRING_ line my_line _LINE_ sentence my_sentence _SENTENCE_ description
    my_description _DESCRIPTION_ title my_title _TITLE_ label my_label _LABEL_
Name:
    xfile_name name my_name _NAME_ username my_username _USERNAME_ key my_key _KEY_ sku my_sku _SKU_ code
    my_code _CODE_ id my_id _ID_ word my_word _WORD_ prefix my_prefix _PREFIX_ suffix my_suffix _SUFFIX_
Callable:
    func my_func _FUNC_ fn my_fn _FN_ callback my_callback _CALLBACK_ predicate my_predicate _PREDICATE_ handler
    my_handler _HANDLER_ factory my_factory _FACTORY_ hook my_hook _HOOK_ callable my_callable _CALLABLE_
Dict:
    mapping my_mapping _MAPPING_ config my_config _CONFIG_ options my_options _OPTIONS_ settings my_settings
    _SETTINGS_ headers my_headers _HEADERS_ params my_params _PARAMS_ attrs my_attrs _ATTRS_ kwargs my_kwargs
    _KWARGS_ dict my_dict _DICT_ env my_env _ENV_
List:
    file_names xs lines names keys words items my_items _ITEMS_ values my_values _VALUES_ elements my_elements
    _ELEMENTS_ rows my_rows _ROWS_ records my_records _RECORDS_ my_lines _LINES_ my_xs _XS_ seq my_seq _SEQ_
    sequence my_sequence _SEQUENCE_ iterable my_iterable _ITERABLE_ my_names _NAMES_ my_keys _KEYS_ tags my_tags
    _TAGS_ my_words _WORDS_ args my_args _ARGS_ parts my_parts _PARTS_ entries my_entries _ENTRIES_ list my_list
    _LIST_ name_list
None:
    path_x paths xpath filename_x filenames xfilename filepath_x filepaths xfilepath fname_x fnames xfname
    file_name_x file_path_x file_paths src_file_x src_files file_x files xfile dir_x dirs xdir directory_x
    directorys xdirectory folder_x folders xfolder dirname_x dirnames xdirname root_x roots xroot my_stream
    stream_x streams xstream my_fp fp_x fps xfp my_fh fh_x fhs xfh my_fileobj fileobj_x fileobjs xfileobj
    my_buffer buffer_x buffers xbuffer my_buf buf_x bufs xbuf my_out out_x outs xout my_output output_x outputs
    xoutput ns xn count_x counts xcount size_x sizes xsize nums xnum number_x numbers xnumber length_x lengths
    xlength limit_x limits xlimit times_x timess xtimes qty_x qtys xqty quantity_x quantitys xquantity width_x
    widths xwidth height_x heights xheight depth_x depths xdepth retries_x retriess xretries attempts_x
    attemptss xattempts total_x totals xtotal capacity_x capacitys xcapacity k_x ks xk index_x indexs xindex
    idx_x idxs xidx i_x is xi j_x js xj pos_x poss xpos position_x positions xposition offset_x offsets xoffset
    start_x starts xstart end_x ends xend stop_x stops xstop rate_x rates xrate ratio_x ratios xratio factor_x
    factors xfactor percent_x percents xpercent probability_x probabilitys xprobability weight_x weights xweight
    timeout_x timeouts xtimeout delay_x delays xdelay threshold_x thresholds xthreshold scale_x scales xscale
    alpha_x alphas xalpha tolerance_x tolerances xtolerance seconds_x secondss xseconds my_flag flag_x flags
    xflag my_strict strict_x stricts xstrict my_verbose verbose_x verboses xverbose my_force force_x forces
    xforce my_dry_run dry_run_x dry_runs xdry_run my_recursive recursive_x recursives xrecursive my_reverse
    reverse_x reverses xreverse my_quiet quiet_x quiets xquiet bytes_x bytess xbytes bytestring_x bytestrings
    xbytestring blob_x blobs xblob payload_x payloads xpayload raw_x raws xraw data_bytes_x data_bytess email_x
    emails xemail url_x urls xurl uri_x uris xuri link_x links xlink href_x hrefs xhref text_x texts xtext
    message_x messages xmessage msg_x msgs xmsg content_x contents xcontent body_x bodys xbody s_x ss string_x
    strings xstring line_x xline sentence_x sentences xsentence description_x descriptions xdescription title_x
    titles xtitle label_x labels xlabel name_x xname username_x usernames xusername key_x xkey sku_x skus xsku
    code_x codes xcode id_x ids xid word_x xword prefix_x prefixs xprefix suffix_x suffixs xsuffix func_x funcs
    xfunc fn_x fns xfn callback_x callbacks xcallback predicate_x predicates xpredicate handler_x handlers
    xhandler factory_x factorys xfactory hook_x hooks xhook callable_x callables xcallable mapping_x mappings
    xmapping config_x configs xconfig options_x optionss xoptions settings_x settingss xsettings headers_x
    headerss xheaders params_x paramss xparams attrs_x attrss xattrs kwargs_x kwargss xkwargs dict_x dicts xdict
    env_x envs xenv items_x itemss xitems values_x valuess xvalues elements_x elementss xelements rows_x rowss
    xrows records_x recordss xrecords lines_x liness xlines xs_x xss xxs seq_x seqs xseq sequence_x sequences
    xsequence iterable_x iterables xiterable names_x namess xnames keys_x keyss xkeys tags_x tagss xtags words_x
    wordss xwords args_x argss xargs parts_x partss xparts entries_x entriess xentries list_x lists xlist max
    my_max maxs _MAX_ xmax min my_min mins _MIN_ xmin my_is iss _IS_ xis has my_has hass _HAS_ xhas use my_use
    uses _USE_ xuse allow my_allow allows _ALLOW_ xallow enable my_enable enables _ENABLE_ xenable data my_data
    data_x datas _DATA_ xdata value my_value value_x _VALUE_ xvalue x my_x x_x _X_ xx obj my_obj obj_x objs
    _OBJ_ xobj other my_other other_x others _OTHER_ xother a my_a a_x as _A_ xa b my_b b_x bs _B_ xb my_ _x __
    maxval isx _ MaxSize
"#;

#[test]
fn names_give_the_same_hint_as_ever() {
    let mut hint = "";
    let mut wrong = Vec::new();
    for line in NAME_HINTS.lines().filter(|l| !l.trim().is_empty()) {
        if let Some(h) = line.strip_suffix(':') {
            hint = h;
            continue;
        }
        for name in line.split_whitespace() {
            let got = format!("{:?}", Hint::of(name));
            if got != hint {
                wrong.push(format!("{name}: {got}, want {hint}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
