#!/usr/bin/env bash
# Rebuild the three audit cases (audit-before / audit-after of issue 16).
# Usage: audit-cases.sh /path/to/weiquan /path/to/fresh-home [OUTDIR]
# Cases are numbered 1, 2, 3 in a fresh home. Today's date assumed by the audit: 2026-12-06.
set -u
W="${1:?weiquan binary}"; H="${2:?data home}"; OUT="${3:-$H/../out}"
mkdir -p "$OUT"
wq() { "$W" --home "$H" "$@"; }

# review helper: confirm every finding of the listed categories, reject the first finding of
# REJECT_CAT, leave everything else automatic (unconfirmed).
review_policy() {  # case_id "cat1 cat2 ..." reject_cat
  local cid="$1" confirm="$2" reject="$3"
  wq review --case "$cid" --all --json </dev/null > "$OUT/findings-$cid.json"
  python3 - "$OUT/findings-$cid.json" "$confirm" "$reject" > "$OUT/review-$cid.plan" <<'PY'
import json, sys
fs = json.load(open(sys.argv[1])); conf = set(sys.argv[2].split()); rej = sys.argv[3]
done_rej = False
for f in fs:
    if f["category"] == rej and not done_rej:
        print(f"{f['id']} reject"); done_rej = True
    elif f["category"] in conf:
        print(f"{f['id']} confirm")
PY
  while read -r fid act; do
    if [ "$act" = confirm ]; then wq review --finding "$fid" --confirm --note "本人核对属实" >/dev/null
    else wq review --finding "$fid" --reject --note "本人核对：此条识别有误，非威胁" >/dev/null; fi
  done < "$OUT/review-$cid.plan"
}

wq init >/dev/null

########## Case 1: licensed consumer-finance company, conduct 2026-10..2026-11 (ongoing) ##########
wq case new --name "审计案1 马上消费金融 2026" --lender "马上消费金融" --borrower "李明" --json > "$OUT/case1.json"
C=1
wq add-event -c $C --channel sms --time "2026-10-08 10:15" --number 10690571001 \
  --text "【安逸花】李明，您的借款已逾期45天，欠款8,600元。今天17点前不处理，我们将联系您单位领导核实情况。"
wq add-event -c $C --channel call --time "2026-10-12 22:40" --number 02388001234 --duration 95 \
  --text "催收员说：你再不还钱，我们知道你住哪个小区，晚上出门小心点，打断你的腿，别怪我们不客气。"
wq add-event -c $C --channel sms --time "2026-10-12 23:05" --number 02388001234 \
  --text "今晚不还，明天我们的人就到你家门口堵你，你老婆孩子也跑不了，弄死你全家。"
wq add-event -c $C --channel call --time "2026-10-15 14:00" --number 02388001235 --duration 180 \
  --to employer --to-name "公司人事部王经理" \
  --text "催收员打电话到借款人公司人事部，对王经理说李明欠马上消费金融的钱不还，是老赖，要求公司扣他工资还款。"
wq add-event -c $C --channel sms --time "2026-10-20 09:30" --number 02388001236 \
  --text "李明你就是个骗子、老赖，死皮赖脸不还钱，你全家都是废物。"
wq add-event -c $C --channel visit --time "2026-10-28 19:30" --name "自称马上消费金融外访人员（两人）" \
  --text "两名自称马上消费金融外访人员到借款人住所楼道，拍门约20分钟，大声喊“李明欠钱不还，出来！”。邻居张秀兰（同楼502室）出门看到并听到全过程。借款人用手机全程录音（时长约18分钟）。" \
  --note "录音文件在我手机里，邻居张秀兰愿意作证，电话139xxxx"
wq add-event -c $C --channel sms --time "2026-11-03 08:10" --number 02388001234 \
  --text "明天去你公司找你老板，让你们全公司都知道你欠钱不还，看你还有没有脸上班。"
wq add-event -c $C --channel call --time "2026-11-20 22:50" --number 02388001237 --duration 60 \
  --text "催收员深夜来电，说：不还钱就天天给你打，打到你还为止。"
wq add-event -c $C --channel sms --time "2026-11-28 21:00" --number 02388001234 \
  --text "最后通知：三天内不结清，后果自负，我们说到做到。"
wq analyze --case $C --json > "$OUT/analyze-1.json"
# confirm threats to the body and third-party/employer contact and insults; reject the
# "threat_exposure" finding; leave the rest automatic
review_policy $C "threat_violence third_party_contact insult threat_visit" "threat_exposure"

########## Case 2: unlicensed lending app, 砍头息 loan, conduct entirely in 2025 ##########
wq case new --name "审计案2 速借花App 2025" --lender "速借花" --borrower "王芳" --json > "$OUT/case2.json"
C=2
wq add-event -c $C --channel sms --time "2025-04-09 09:05" --number 17012345601 \
  --text "王芳，你在速借花的3000元已逾期，今天不还，马上爆你通讯录，让你所有亲戚朋友都知道你是老赖。"
wq add-event -c $C --channel sms --time "2025-04-09 23:30" --number 17012345602 \
  --text "贱人，借钱不还的烂货，你这种人活着就是浪费空气。"
wq add-event -c $C --channel call --time "2025-04-10 10:00" --number 17012345603 --duration 120 \
  --to relative --to-name "母亲" \
  --text "催收员打电话给借款人母亲，说王芳借钱不还，让她母亲替她还3000元，否则把她的照片发到网上。"
wq add-event -c $C --channel sms --time "2025-04-11 08:20" --number 17012345601 \
  --text "通讯录我们已经导出来了，今晚12点前不还，就把你的P图照片群发给你通讯录里每一个人。"
wq add-event -c $C --channel chat --time "2025-04-12 20:15" --name "催收员（微信昵称“速借花客服”）" \
  --to friend --to-name "朋友刘洋" \
  --text "催收员在借款人同学微信群（约80人）里发了一张把借款人照片P成“通缉令”的图片，配文“王芳欠钱不还，大家看到她就联系我们”。朋友刘洋截图发给借款人。" \
  --note "截图在刘洋那里，我手机里也有一份"
wq add-event -c $C --channel sms --time "2025-04-13 22:45" --number 17012345604 \
  --text "你不要脸，婊子，再不还钱你全家都不得好死。"
wq add-event -c $C --channel call --time "2025-04-15 13:00" --number 17012345605 --duration 60 \
  --to colleague --to-name "同事陈静" \
  --text "催收员打给借款人同事陈静，说王芳是骗子，借了网贷不还，让陈静转告她赶紧还钱。"
wq analyze --case $C --json > "$OUT/analyze-2.json"
cat > "$OUT/loan2.json" <<'JSON'
{"lender": "速借花", "lender_type": "unlicensed", "contract_date": "2025-04-01", "principal": 3000,
 "disbursed": [{"date": "2025-04-01", "amount": 2100}],
 "repayments": [{"date": "2025-04-08", "amount": 3000, "paid": false}],
 "as_of": "2026-12-06"}
JSON
wq loan check "$OUT/loan2.json" --json > "$OUT/loan2-check.json"
wq loan check "$OUT/loan2.json" > "$OUT/loan2-check.txt"
wq loan add --case $C "$OUT/loan2.json" >/dev/null 2>&1 || echo "(loan add not available)"
review_policy $C "threat_exposure insult third_party_contact" "threat_violence"

########## Case 3: bank credit card, conduct on both sides of 2026-01-01, stale (last 2026-05-20) ##########
wq case new --name "审计案3 某银行信用卡 2025-2026" --lender "招商银行信用卡中心" --borrower "赵强" --json > "$OUT/case3.json"
C=3
wq add-event -c $C --channel call --time "2025-11-05 22:30" --number 075583001001 --duration 90 \
  --text "银行信用卡催收员说：赵强你再不还，我们就起诉你，让你坐牢，你孩子以后考公务员政审都过不了。"
wq add-event -c $C --channel call --time "2025-11-20 12:10" --number 075583001002 --duration 150 \
  --to colleague --to-name "同事孙丽" \
  --text "催收员打给借款人同事孙丽，说赵强信用卡欠款5万多不还，让她转告，并说要到单位去找他。"
wq add-event -c $C --channel letter --time "2025-12-15 10:00" --name "自称“北京市正义律师事务所”" \
  --text "收到一封快递“律师函”，落款“北京市正义律师事务所 张律师”，称“如三日内不还款，将向法院起诉并申请对您采取刑事拘留措施”，无律所执业证号，查询司法部律师名录无此律所。" \
  --note "律师函原件在家里抽屉"
wq add-event -c $C --channel sms --time "2025-12-28 23:15" --number 10690555001 \
  --text "赵强，您的信用卡欠款已移交法务部，明日将安排人员上门调查取证。"
wq add-event -c $C --channel call --time "2026-01-08 11:00" --number 01065001234 --duration 200 \
  --name "自称朝阳区人民法院工作人员" \
  --text "对方自称是朝阳区人民法院的工作人员，说赵强的案子已经立案，如果今天不还款就发传票、下逮捕令，把他列为失信被执行人。"
wq add-event -c $C --channel sms --time "2026-02-14 09:00" --number 10690555001 \
  --text "【法院执行通知】赵强：你的信用卡诈骗案已立案，请于三日内到朝阳区人民法院执行局报到，逾期将依法拘传。"
wq add-event -c $C --channel call --time "2026-03-02 22:45" --number 075583001003 --duration 40 \
  --text "催收员深夜来电，骂：你个废物，欠钱不还还有脸睡觉。"
wq add-event -c $C --channel sms --time "2026-05-20 10:00" --number 075583001001 \
  --text "赵强，最后一次提醒，再不还款我们就把你欠款的事发给你所有同事和亲戚。"
wq analyze --case $C --json > "$OUT/analyze-3.json"
cat > "$OUT/loan3.json" <<'JSON'
{"lender": "招商银行信用卡中心", "lender_type": "bank", "contract_date": "2024-06-01", "principal": 50000,
 "disbursed": [{"date": "2024-06-01", "amount": 50000}],
 "repayments": [{"date": "2025-06-01", "amount": 59000, "paid": false}],
 "as_of": "2026-12-06"}
JSON
wq loan check "$OUT/loan3.json" --json > "$OUT/loan3-check.json"
wq loan add --case $C "$OUT/loan3.json" >/dev/null 2>&1 || echo "(loan add not available)"
review_policy $C "impersonation threat_legal_false third_party_contact" "insult"

########## Outputs for every case ##########
for C in 1 2 3; do
  D="$OUT/case$C"; mkdir -p "$D"
  wq plan --case $C > "$D/plan.txt" 2>&1
  wq plan --case $C --json > "$D/plan.json" 2>&1
  wq actions --case $C > "$D/actions.txt" 2>&1
  wq analyze --case $C > "$D/analyze.txt" 2>&1
  wq draft --case $C --doc all --format both --out "$D/docs" --json > "$D/draft.json" 2>&1
  wq draft --case $C --doc plan --format both --out "$D/docs" >/dev/null 2>&1 || true
  wq report --case $C --out "$D/report.pdf" >/dev/null 2>&1
  wq export --case $C --out "$D/evidence.zip" >/dev/null 2>&1
  for f in "$D"/docs/*.pdf "$D/report.pdf"; do [ -f "$f" ] && pdftotext -layout "$f" "${f%.pdf}.txt"; done
done
echo "done: $OUT"
