use super::*;
use bosai_store::sqlite::SqliteStore;
use bosai_types::shelter_import::TextEncoding;

const SOUMU: &[u8] = include_bytes!("../../../../../tests/fixtures/opendata/soumu-dantai-code-miyagi.csv");
const SOUMU_SJIS: &[u8] = include_bytes!("../../../../../tests/fixtures/opendata/soumu-dantai-code-miyagi.sjis.csv");

fn code(s: &str) -> MunicipalityCode {
    MunicipalityCode::parse(s).unwrap()
}

#[test]
fn the_soumu_table_in_either_encoding_keeps_the_prefecture_rows() {
    for (bytes, enc) in [(SOUMU, TextEncoding::Utf8), (SOUMU_SJIS, TextEncoding::ShiftJis)] {
        let p = parse(bytes, &code("040002")).unwrap();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(
            (p.encoding, p.rows, p.listed.len(), p.other),
            (enc, 38, 36, 2),
            "35 municipalities and 宮城県 itself; 福島県's rows skipped"
        );
        let sendai = p.listed.iter().find(|l| l.code.as_str() == "041009").unwrap();
        assert_eq!(
            (sendai.prefecture_ja.as_str(), sendai.name_ja.as_str(), sendai.kana.as_str()),
            ("宮城県", "仙台市", "センダイシ"),
            "the table's half-width kana kept full-width"
        );
        // As the address base registry spells them (市区町村名_英字), read from the table's kana.
        let latin = |ja: &str| p.listed.iter().find(|l| l.name_ja == ja).map(|l| l.name_en.as_str());
        for (ja, en) in [
            ("仙台市", "Sendai-shi"),
            ("塩竈市", "Shiogama-shi"),
            ("多賀城市", "Tagajo-shi"),
            ("蔵王町", "Zao-machi"),
            ("七ヶ宿町", "Shichikashuku-machi"),
            ("大河原町", "Ogawara-machi"),
            ("七ヶ浜町", "Shichigahama-machi"),
            ("大郷町", "Osato-cho"),
            ("大衡村", "Ohira-mura"),
            ("南三陸町", "Minamisanriku-cho"),
        ] {
            assert_eq!(latin(ja), Some(en), "{ja}");
        }
        let unnamed: Vec<&str> =
            p.listed[1..].iter().filter(|l| l.name_en.is_empty()).map(|l| l.name_ja.as_str()).collect();
        assert!(unnamed.is_empty(), "every municipality has a name in Latin letters: {unnamed:?}");
        assert_eq!(p.listed[0].display_name(), "宮城県");
    }
}

#[test]
fn the_address_base_registry_layout_leaves_wards_and_abolished_codes_out() {
    let csv = "全国地方公共団体コード,都道府県名,都道府県名_カナ,都道府県名_英字,郡名,郡名_カナ,郡名_英字,市区町村名,市区町村名_カナ,市区町村名_英字,政令市区名,政令市区名_カナ,政令市区名_英字,効力発生日,廃止日,備考\n\
041009,宮城県,ミヤギケン,Miyagi,,,,仙台市,センダイシ,Sendai-shi,,,,1947-04-17,,\n\
041017,宮城県,ミヤギケン,Miyagi,,,,仙台市,センダイシ,Sendai-shi,青葉区,アオバク,Aoba-ku,1989-04-01,,\n\
043214,宮城県,ミヤギケン,Miyagi,柴田郡,シバタグン,Shibata-gun,大河原町,オオガワラマチ,Ogawara-machi,,,,1947-04-17,,\n\
042170,宮城県,ミヤギケン,Miyagi,,,,泉市,イズミシ,Izumi-shi,,,,1971-11-01,1988-03-01,\n";
    let p = parse(csv.as_bytes(), &code("041009")).unwrap();
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let got: Vec<&str> = p.listed.iter().map(|l| l.name_ja.as_str()).collect();
    assert_eq!(got, ["仙台市", "大河原町"]);
    // The registry's own Latin name is kept, and reading its kana gives the same.
    for (l, en) in p.listed.iter().zip(["Sendai-shi", "Ogawara-machi"]) {
        assert_eq!((l.name_en.as_str(), reading::romaji(&l.name_ja, &l.kana).as_str()), (en, en));
    }
    assert_eq!(p.other, 2, "青葉区 is 仙台市's ward; 泉市 was merged into 仙台市 in 1988");
}

#[test]
fn bad_rows_are_listed_and_a_foreign_header_is_refused() {
    let csv = "団体コード,都道府県名（漢字）,市区町村名（漢字）\n041009,宮城県,仙台市\n041008,宮城県,誤り\n041009,宮城県,仙台市\n042021,宮城県,\n";
    let p = parse(csv.as_bytes(), &code("040002")).unwrap();
    let found: Vec<(u32, Option<&str>)> = p.errors.iter().map(|e| (e.line, e.column.as_deref())).collect();
    assert_eq!(
        found,
        [(3, Some("団体コード")), (4, Some("団体コード")), (5, Some("市区町村名（漢字）"))],
        "{:?}",
        p.errors
    );
    assert!(p.errors[1].reason_ja.contains("2行目"), "{:?}", p.errors[1]);
    assert!(matches!(
        parse("名称,住所\nx,y\n".as_bytes(), &code("040002")),
        Err(ApiError::Invalid { code: "unknown_header", .. })
    ));
    let none = parse("団体コード,市区町村名\n131016,千代田区\n".as_bytes(), &code("040002")).unwrap();
    assert_eq!(
        (none.listed.len(), none.errors.len()),
        (0, 1),
        "a file without the prefecture's rows is an error, not an empty success"
    );
}

#[test]
fn an_address_is_read_as_its_municipality() {
    let mut listed = parse(SOUMU, &code("040002")).unwrap().listed;
    listed.extend(parse(SOUMU, &code("070009")).unwrap().listed);
    let home = |a: &str| home_from_address(&listed, a).map(|c| c.to_string());
    // As the card's 券面事項 write them: 郡 included, the chōme in kanji, digits full-width.
    let cases = [
        ("宮城県仙台市青葉区国分町三丁目７番１号", Some("041009"), "a designated city's ward"),
        ("宮城県柴田郡大河原町新南１９番地", Some("043214"), "the list leaves out the 郡"),
        ("宮城県宮城郡七ケ浜町東宮浜字丑谷辺５番地の１", Some("044041"), "ケ on the card, ヶ in the list"),
        ("宮城県 多賀城市 中央二丁目１番１号", Some("042099"), "spaces"),
        ("福島県郡山市朝日一丁目２３番７号", Some("072036"), "郡山市 is a city, not a county"),
        ("東京都千代田区霞が関一丁目", None, "a prefecture not listed: the resident chooses"),
        ("宮城県", None, "no municipality"),
    ];
    for (address, expected, why) in cases {
        assert_eq!(home(address).as_deref(), expected, "{address}: {why}");
    }
}

async fn name_of(store: &SqliteStore, m: &MunicipalityCode) -> String {
    crate::domain::areas::municipality_name(store, m).await.unwrap().expect("named").0
}

#[tokio::test]
async fn apply_writes_the_list_and_names_served_municipalities() {
    let store = SqliteStore::in_memory().unwrap();
    let sendai = code("041009");
    crate::domain::areas::register(&store, &sendai, None).await.unwrap();
    let preview = import(&store, &sendai, SOUMU, false).await.unwrap();
    assert_eq!((preview.municipalities, preview.added.len(), preview.applied), (36, 36, false));
    assert!(listed(&store, &sendai).await.unwrap().is_empty(), "a preview writes nothing");
    assert!(import(&store, &sendai, SOUMU, true).await.unwrap().applied);
    assert_eq!(listed(&store, &code("040002")).await.unwrap().len(), 36);
    assert_eq!(name_of(&store, &sendai).await, "仙台市");
    assert_eq!(name_of(&store, &code("042021")).await, "石巻市", "listed, not served: the list names it");
    assert!(
        !crate::domain::areas::serves(&store, &sendai, "042021").await.unwrap(),
        "listing a municipality does not make the deployment serve it"
    );
    let renamed = "団体コード,都道府県名（漢字）,市区町村名（漢字）\n041009,宮城県,仙台市\n042030,宮城県,塩釜市\n";
    let again = import(&store, &sendai, renamed.as_bytes(), true).await.unwrap();
    assert_eq!((again.added.len(), again.renamed.as_slice()), (0, ["042030".to_string()].as_slice()));
    let bad = import(&store, &sendai, "団体コード,市区町村名\n041009,\n".as_bytes(), true).await.unwrap();
    assert!(!bad.applied);
    assert_eq!(name_of(&store, &sendai).await, "仙台市", "an invalid file writes nothing");
}
